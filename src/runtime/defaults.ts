// Timing defaults of the runtime, in a module with no imports: the CLI shows them in `--help`
// without loading the runtime (and with it pino, prom-client and the Kubernetes client).

export const DEFAULT_DRAIN_DELAY_MS = 5_000;
export const DEFAULT_DRAIN_PROGRESS_MS = 10_000;

export interface LeaderElectionTimings {
  /** How long a lease is valid without renewal; standbys wait this long (default 15 s). */
  leaseDurationMs: number;
  /** A leader that has not renewed for this long steps down (default 10 s). */
  renewDeadlineMs: number;
  /** Time between attempts to acquire or renew (default 2 s). */
  retryPeriodMs: number;
}

export const DEFAULT_LEADER_TIMINGS: LeaderElectionTimings = {
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
};
