// The `gatehouse controller` replicas of a scenario run: child processes of the built CLI, each
// pointed at the same kubeconfig, answering only to this run's controllerName, electing a leader
// over this run's Lease with short timings, binding listeners on 127.0.0.1 and its admin endpoint
// on a free loopback port. Every replica started is stopped by `stopAll`, and the last log lines
// of each can be shown when a step fails.

import { type GatehouseProcess, startGatehouse } from '../cli-process.js';
import type { ScenarioNames } from './manifests.js';

export interface LeaseTimings {
  durationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export const DEFAULT_LEASE_TIMINGS: LeaseTimings = {
  durationMs: 4000,
  renewDeadlineMs: 3000,
  retryPeriodMs: 500,
};

export interface Replica {
  /** Its leader-election identity (the Lease's holderIdentity while it leads). */
  identity: string;
  process: GatehouseProcess;
}

export interface ControllerSetOptions {
  kubeconfig: string;
  context?: string;
  names: ScenarioNames;
  lease: LeaseTimings;
  startTimeoutMs: number;
}

export class ControllerSet {
  readonly replicas: Replica[] = [];

  constructor(private readonly options: ControllerSetOptions) {}

  /** Starts replica `label`; resolves once its admin endpoint listens (it then syncs and elects). */
  async start(label: string): Promise<Replica> {
    const { kubeconfig, context, names, lease, startTimeoutMs } = this.options;
    const identity = `e2e-${names.suffix}-${label}`;
    const gatehouse = await startGatehouse(
      [
        'controller',
        '--kubeconfig',
        kubeconfig,
        ...(context ? ['--context', context] : []),
        '--controller-name',
        names.controllerName,
        '--bind',
        '127.0.0.1',
        '--leader-election-namespace',
        names.namespace,
        '--lease-name',
        names.lease,
        '--leader-election-id',
        identity,
        '--lease-duration',
        `${lease.durationMs}ms`,
        '--renew-deadline',
        `${lease.renewDeadlineMs}ms`,
        '--retry-period',
        `${lease.retryPeriodMs}ms`,
      ],
      { timeoutMs: startTimeoutMs },
    );
    const replica = { identity, process: gatehouse };
    this.replicas.push(replica);
    return replica;
  }

  /** SIGTERM to every replica still running (SIGKILL after 5 s); waits for them to exit. */
  async stopAll(): Promise<void> {
    await Promise.all(this.replicas.map((r) => r.process.stop()));
  }

  /** The last `count` log lines of each replica, for a failure report. */
  logTails(count = 12): string[] {
    return this.replicas.flatMap((r) => [
      `--- last log lines of ${r.identity} (admin port ${r.process.adminPort}) ---`,
      ...r.process.logs.slice(-count).map((l) => JSON.stringify(l)),
      ...r.process.rawOutput.slice(-count),
    ]);
  }
}
