// Jittered exponential backoff and an abortable sleep, shared by the watchers, the status writer
// and leader election. Jitter spreads reconnects of many kinds (and many replicas) after an API
// server restart instead of having them all retry in lockstep.

import { setTimeout as delay } from 'node:timers/promises';

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** Multiplier per failure (default 2). */
  factor?: number;
  /** Fraction of each delay that is randomised away, 0..1 (default 0.5). */
  jitter?: number;
}

export class Backoff {
  private attempt = 0;

  constructor(
    private readonly options: BackoffOptions,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next retry; each call doubles the base up to maxMs. */
  next(): number {
    const { initialMs, maxMs, factor = 2, jitter = 0.5 } = this.options;
    const base = Math.min(maxMs, initialMs * factor ** this.attempt);
    this.attempt++;
    return Math.round(base * (1 - jitter * this.random()));
  }

  reset(): void {
    this.attempt = 0;
  }
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return;
  try {
    await delay(ms, undefined, signal ? { signal } : {});
  } catch {
    // aborted: the caller checks its own stop flag
  }
}
