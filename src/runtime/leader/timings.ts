// Leader election timings and their defaults, apart from the elector so that the command line can
// show the defaults without loading the Kubernetes client.

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
