// The Lease bookkeeping of leader election, separated from the I/O: who holds the lease, whether
// it has expired, and the spec a candidate writes to take or renew it. Expiry is judged on the
// local clock from when this replica last saw the record change (as client-go does), so clock
// skew between replicas does not matter.

import { type V1LeaseSpec, V1MicroTime } from '@kubernetes/client-node';

export interface ObservedRecord {
  /** The Lease's resourceVersion when we last saw it change. */
  resourceVersion: string | undefined;
  /** Local time (ms) at which we saw that version first. */
  observedAt: number;
}

/** Updates `observed` when the lease record changed since we last looked. */
export function observe(
  observed: ObservedRecord | undefined,
  resourceVersion: string | undefined,
  now: number,
): ObservedRecord {
  if (observed && observed.resourceVersion === resourceVersion) return observed;
  return { resourceVersion, observedAt: now };
}

/** Someone else holds the lease and it has not expired on our clock. */
export function heldByOther(
  spec: V1LeaseSpec | undefined,
  identity: string,
  observed: ObservedRecord,
  now: number,
): boolean {
  const holder = spec?.holderIdentity;
  if (!holder || holder === identity) return false;
  const durationMs = (spec?.leaseDurationSeconds ?? 0) * 1000;
  return observed.observedAt + durationMs > now;
}

/** The spec that makes `identity` the holder (keeping acquireTime and transitions on renewal). */
export function takeOrRenew(
  spec: V1LeaseSpec | undefined,
  identity: string,
  leaseDurationMs: number,
  now: number,
): V1LeaseSpec {
  const renewing = spec?.holderIdentity === identity;
  const transitions = spec?.leaseTransitions ?? 0;
  return {
    holderIdentity: identity,
    leaseDurationSeconds: Math.max(1, Math.ceil(leaseDurationMs / 1000)),
    acquireTime: renewing && spec?.acquireTime ? spec.acquireTime : new V1MicroTime(now),
    renewTime: new V1MicroTime(now),
    leaseTransitions: renewing || spec === undefined ? transitions : transitions + 1,
  };
}

/** What a leader writes on clean shutdown: no holder, expiring at once, so a standby takes over. */
export function released(spec: V1LeaseSpec | undefined, now: number): V1LeaseSpec {
  return {
    leaseDurationSeconds: 1,
    acquireTime: new V1MicroTime(now),
    renewTime: new V1MicroTime(now),
    leaseTransitions: spec?.leaseTransitions ?? 0,
  };
}
