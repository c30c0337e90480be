// Coalesces bursts of relevant changes into one rebuild: a batch is emitted once no change has
// arrived for the hold-off, or when the oldest change in it has waited the ceiling, whichever
// comes first. Emissions never overlap: changes arriving while the consumer works on a batch
// form the next one, so the consumer always ends on the latest state.

export interface ChangeBatch {
  reason: 'initial' | 'change';
  /** Kinds with relevant changes in this batch (every watched kind for the initial batch). */
  changedKinds: string[];
  /** Epoch ms of the first change in the batch (for rebuild latency measurements). */
  firstChangeAt: number;
}

export interface ChangeBatcherOptions {
  holdOffMs: number;
  maxDelayMs: number;
  emit: (batch: ChangeBatch) => void | Promise<void>;
  onError: (err: unknown) => void;
  now?: () => number;
}

interface Pending {
  reason: ChangeBatch['reason'];
  kinds: Set<string>;
  firstAt: number;
}

export class ChangeBatcher {
  private pending: Pending | undefined;
  private timer: NodeJS.Timeout | undefined;
  private emitting = false;
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly options: ChangeBatcherOptions) {
    this.now = options.now ?? Date.now;
  }

  notify(kind: string): void {
    if (this.stopped) return;
    if (!this.pending) this.pending = { reason: 'change', kinds: new Set(), firstAt: this.now() };
    this.pending.kinds.add(kind);
    this.schedule();
  }

  /** Emits the initial, complete batch without waiting for the hold-off. */
  emitInitial(kinds: readonly string[]): void {
    if (this.stopped) return;
    this.pending = { reason: 'initial', kinds: new Set(kinds), firstAt: this.now() };
    clearTimeout(this.timer);
    void this.fire();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.pending = undefined;
  }

  private schedule(): void {
    if (this.emitting || !this.pending) return;
    clearTimeout(this.timer);
    const now = this.now();
    const due = Math.min(now + this.options.holdOffMs, this.pending.firstAt + this.options.maxDelayMs);
    this.timer = setTimeout(() => void this.fire(), Math.max(0, due - now));
  }

  private async fire(): Promise<void> {
    const batch = this.pending;
    if (!batch || this.emitting || this.stopped) return;
    this.pending = undefined;
    this.emitting = true;
    try {
      await this.options.emit({
        reason: batch.reason,
        changedKinds: [...batch.kinds].sort(),
        firstChangeAt: batch.firstAt,
      });
    } catch (err) {
      this.options.onError(err);
    } finally {
      this.emitting = false;
    }
    this.schedule();
  }
}
