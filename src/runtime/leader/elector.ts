// Leader election over a coordination.k8s.io/v1 Lease. A candidate takes the lease when it is
// free, released or expired, and renews it every retry period while leading. A leader that has
// not renewed within the renew deadline steps down (callback) — before its lease can expire for
// the others, since renewDeadline < leaseDuration. A 409 on the Lease is the normal way to lose
// a race. On clean shutdown the leader releases the lease so a standby takes over at once.

import {
  type ConfigurationOptions,
  CoordinationV1Api,
  type KubeConfig,
  Observable,
  type ObservableMiddleware,
  type V1Lease,
  type V1LeaseSpec,
} from '@kubernetes/client-node';
import { componentLogger, type Logger, silentLogger } from '../../observability/logger.js';
import { sleep } from '../../provider/kubernetes/backoff.js';
import { errorCode } from '../../provider/kubernetes/rest.js';
import { DEFAULT_LEADER_TIMINGS, type LeaderElectionTimings } from '../defaults.js';
import { heldByOther, type ObservedRecord, observe, released, takeOrRenew } from './lease-record.js';

export type { LeaderElectionTimings } from '../defaults.js';

export interface LeaderElectorOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  /** Lease name (default `gatehouse-controller`). */
  name?: string;
  /** Unique per replica, e.g. the pod name. */
  identity: string;
  timings?: Partial<LeaderElectionTimings>;
  onStartedLeading?: () => void;
  onStoppedLeading?: () => void;
  logger?: Logger;
  random?: () => number;
}

export class LeaderElector {
  private readonly api: CoordinationV1Api;
  private readonly timings: LeaderElectionTimings;
  private readonly logger: Logger;
  private readonly name: string;
  private readonly shutdown = new AbortController();
  private observed: ObservedRecord | undefined;
  private leading = false;
  private stopped = false;
  private lastRenewAt = 0;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: LeaderElectorOptions) {
    this.timings = { ...DEFAULT_LEADER_TIMINGS, ...options.timings };
    if (this.timings.renewDeadlineMs >= this.timings.leaseDurationMs) {
      throw new Error('leader election: renewDeadline must be shorter than leaseDuration');
    }
    this.api = options.kubeConfig.makeApiClient(CoordinationV1Api);
    this.name = options.name ?? 'gatehouse-controller';
    this.logger = componentLogger(options.logger ?? silentLogger(), 'leader').child({
      kind: 'Lease',
      resource: `${options.namespace}/${this.name}`,
      identity: options.identity,
    });
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /**
   * Stops campaigning; a leader steps down and (unless `release: false`, which leaves the lease
   * to expire as a crash would) releases the lease so a standby takes over at once.
   */
  async stop(options: { release?: boolean } = {}): Promise<void> {
    this.stopped = true;
    this.shutdown.abort();
    await this.loop;
    if (!this.leading) return;
    if (options.release !== false) await this.release();
    this.stepDown('shutdown');
  }

  private async run(): Promise<void> {
    const { retryPeriodMs } = this.timings;
    const random = this.options.random ?? Math.random;
    while (!this.stopped) {
      const ok = await this.tryAcquireOrRenew();
      if (this.stopped) break;
      if (ok) this.renewed();
      // Standbys add jitter so replicas do not hit the API server in lockstep.
      const wait = this.leading ? retryPeriodMs : retryPeriodMs * (1 + 0.2 * random());
      await sleep(wait, this.shutdown.signal);
    }
  }

  private renewed(): void {
    this.lastRenewAt = Date.now();
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = setTimeout(
      () => this.stepDown('renew deadline passed'),
      this.timings.renewDeadlineMs,
    );
    if (!this.leading) {
      this.leading = true;
      this.logger.info('became leader');
      this.options.onStartedLeading?.();
    }
  }

  private stepDown(reason: string): void {
    clearTimeout(this.deadlineTimer);
    if (!this.leading) return;
    this.leading = false;
    this.logger.warn({ reason }, 'stopped leading');
    this.options.onStoppedLeading?.();
  }

  /** One attempt; true when we hold the lease afterwards. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = Date.now();
    const options = this.requestOptions();
    const { namespace, identity } = this.options;
    try {
      const lease = await this.read(options);
      if (!lease) {
        const spec = takeOrRenew(undefined, identity, this.timings.leaseDurationMs, now);
        const body: V1Lease = { metadata: { name: this.name, namespace }, spec };
        const created = await this.api.createNamespacedLease({ namespace, body }, options);
        this.observed = observe(undefined, created.metadata?.resourceVersion, Date.now());
        return true;
      }
      this.observed = observe(this.observed, lease.metadata?.resourceVersion, now);
      if (heldByOther(lease.spec, identity, this.observed, now)) return false;
      const spec = takeOrRenew(lease.spec, identity, this.timings.leaseDurationMs, now);
      const updated = await this.replace(lease, spec, options);
      this.observed = observe(this.observed, updated.metadata?.resourceVersion, Date.now());
      return true;
    } catch (err) {
      if (errorCode(err) !== 409) this.logger.debug({ err: String(err) }, 'lease attempt failed');
      return false;
    }
  }

  private async read(options: LeaseRequestOptions): Promise<V1Lease | undefined> {
    try {
      return await this.api.readNamespacedLease(
        { name: this.name, namespace: this.options.namespace },
        options,
      );
    } catch (err) {
      if (errorCode(err) === 404) return undefined;
      throw err;
    }
  }

  private replace(lease: V1Lease, spec: V1LeaseSpec, options: LeaseRequestOptions): Promise<V1Lease> {
    const body: V1Lease = { ...lease, spec };
    return this.api.replaceNamespacedLease(
      { name: this.name, namespace: this.options.namespace, body },
      options,
    );
  }

  private async release(): Promise<void> {
    try {
      const lease = await this.read(this.requestOptions());
      if (lease?.spec?.holderIdentity !== this.options.identity) return;
      await this.replace(lease, released(lease.spec, Date.now()), this.requestOptions());
      this.logger.info('released lease');
    } catch (err) {
      this.logger.warn({ err: String(err) }, 'could not release lease');
    }
  }

  /**
   * Each request may take at most a retry period, and a leader's request no longer than what
   * is left of its renew deadline, so a hung API server cannot keep a stale leader leading.
   */
  private requestOptions(): LeaseRequestOptions {
    const { retryPeriodMs, renewDeadlineMs } = this.timings;
    const left = this.leading ? this.lastRenewAt + renewDeadlineMs - Date.now() : retryPeriodMs;
    return withTimeout(Math.max(50, Math.min(retryPeriodMs, left)));
  }
}

type LeaseRequestOptions = ConfigurationOptions;

function withTimeout(ms: number): LeaseRequestOptions {
  const middleware = {
    pre: (ctx) => {
      ctx.setSignal(AbortSignal.timeout(ms));
      return new Observable(Promise.resolve(ctx));
    },
    post: (response) => new Observable(Promise.resolve(response)),
  } satisfies ObservableMiddleware;
  return { middleware: [middleware], middlewareMergeStrategy: 'append' };
}
