// A work queue that runs at most one task per key at a time and at most `concurrency` tasks
// overall. A task queued for a key that already has one waiting replaces it (latest wins): for
// status writes only the newest desired state is worth sending.

type Task = () => Promise<void>;

interface Entry {
  task: Task;
  waiters: (() => void)[];
}

export class KeyedQueue {
  private readonly waiting = new Map<string, Entry>();
  private readonly running = new Set<string>();
  private readonly idleWaiters: (() => void)[] = [];

  constructor(private readonly concurrency: number) {}

  /** Resolves when this task, or one that replaced it, has finished (or was dropped). */
  push(key: string, task: Task): Promise<void> {
    return new Promise((resolve) => {
      const superseded = this.waiting.get(key);
      this.waiting.set(key, { task, waiters: [...(superseded?.waiters ?? []), resolve] });
      this.pump();
    });
  }

  /** Drops every task not yet started. */
  clear(): void {
    const dropped = [...this.waiting.values()];
    this.waiting.clear();
    for (const entry of dropped) for (const resolve of entry.waiters) resolve();
    this.checkIdle();
  }

  /** Resolves when nothing is waiting or running. */
  idle(): Promise<void> {
    if (this.waiting.size === 0 && this.running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    for (const [key, entry] of this.waiting) {
      if (this.running.size >= this.concurrency) return;
      if (this.running.has(key)) continue;
      this.waiting.delete(key);
      this.running.add(key);
      void this.run(key, entry);
    }
  }

  private async run(key: string, entry: Entry): Promise<void> {
    try {
      await entry.task();
    } finally {
      this.running.delete(key);
      for (const resolve of entry.waiters) resolve();
      this.pump();
      this.checkIdle();
    }
  }

  private checkIdle(): void {
    if (this.waiting.size > 0 || this.running.size > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
