/**
 * A controller's work loop in miniature: `kick()` asks for a reconcile; runs never overlap, kicks
 * during a run coalesce into one more run, a run that answers "retry" (it waits for something it
 * cannot watch) runs again shortly, and a run that throws is logged and retried. `idle()` resolves
 * once nothing is running, queued or waiting to retry.
 */
const RETRY_MS = 250;

export class Reconciler {
  private running: Promise<void> | undefined;
  private dirty = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly run: () => Promise<boolean>,
    private readonly log: (message: string) => void,
    private readonly name: string,
  ) {}

  kick(): void {
    if (this.stopped) return;
    this.dirty = true;
    if (!this.running) this.running = this.loop();
  }

  idle(): Promise<void> {
    if (!this.running && !this.retryTimer) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.running;
    this.wakeIdle();
  }

  private async loop(): Promise<void> {
    let retry = false;
    while (this.dirty && !this.stopped) {
      this.dirty = false;
      try {
        retry = await this.run();
      } catch (error) {
        this.log(
          `${this.name} reconcile failed (will retry): ${error instanceof Error ? error.message : String(error)}`,
        );
        retry = true;
      }
    }
    this.running = undefined;
    if (retry && !this.stopped) {
      if (this.retryTimer) clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.kick();
      }, RETRY_MS);
      return;
    }
    this.wakeIdle();
  }

  private wakeIdle(): void {
    if (this.running || this.retryTimer) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }
}
