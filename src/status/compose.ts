// Turns the translator's statuses into the statuses we publish: overlays what the data plane
// actually bound (status.addresses, ports that failed) and stamps lastTransitionTime against the
// previously published statuses. Used by every mode; the Kubernetes writer diffs the result.

import type { ApplyReport, GatewayBindReport } from '../dataplane/types.js';
import type { Condition, GatewayStatus, ListenerStatus } from '../resources/types.js';
import type { StatusUpdate } from '../translator/types.js';
import { setCondition, stampConditions } from './conditions.js';

export function statusKey(u: { kind: string; namespace?: string; name: string }): string {
  return u.namespace ? `${u.kind}/${u.namespace}/${u.name}` : `${u.kind}/${u.name}`;
}

export interface ComposeInput {
  updates: StatusUpdate[];
  /** What the data plane bound; absent when no data plane runs in this process. */
  report?: ApplyReport;
  /** The statuses published before, keyed by statusKey. */
  previous: ReadonlyMap<string, StatusUpdate>;
  now: string;
  /** Listener ports per Gateway key, so port failures can be mapped onto listeners. */
  listenerPorts?: ReadonlyMap<string, ReadonlyMap<string, number>>;
}

export function composeStatuses(input: ComposeInput): StatusUpdate[] {
  return input.updates.map((u) => {
    const before = input.previous.get(statusKey(u));
    if (u.kind === 'Gateway') {
      const key = `${u.namespace}/${u.name}`;
      const bound = input.report?.gateways[key];
      const ports = input.listenerPorts?.get(key);
      const status = bound ? overlayBindReport(u.status, bound, ports) : u.status;
      const prev = before?.kind === 'Gateway' ? before.status : undefined;
      return { ...u, status: stampGateway(status, prev, input.now) };
    }
    if (u.kind === 'HTTPRoute') {
      const prev = before?.kind === 'HTTPRoute' ? before.status : undefined;
      const parents = u.status.parents.map((p) => {
        const old = prev?.parents.find((q) => sameParent(q.parentRef, p.parentRef));
        return { ...p, conditions: stampConditions(p.conditions, old?.conditions, input.now) };
      });
      return { ...u, status: { parents } };
    }
    if (u.kind === 'BackendTLSPolicy') {
      const prev = before?.kind === 'BackendTLSPolicy' ? before.status : undefined;
      const ancestors = u.status.ancestors.map((a) => {
        const old = prev?.ancestors.find((q) => sameParent(q.ancestorRef, a.ancestorRef));
        return { ...a, conditions: stampConditions(a.conditions, old?.conditions, input.now) };
      });
      return { ...u, status: { ancestors } };
    }
    const prev = before?.kind === 'GatewayClass' ? before.status : undefined;
    return {
      ...u,
      status: {
        ...u.status,
        conditions: stampConditions(u.status.conditions ?? [], prev?.conditions, input.now),
      },
    };
  });
}

export function sameParent(
  a: { group?: string; kind?: string; namespace?: string; name: string; sectionName?: string; port?: number },
  b: typeof a,
): boolean {
  return (
    (a.group ?? 'gateway.networking.k8s.io') === (b.group ?? 'gateway.networking.k8s.io') &&
    (a.kind ?? 'Gateway') === (b.kind ?? 'Gateway') &&
    (a.namespace ?? '') === (b.namespace ?? '') &&
    a.name === b.name &&
    (a.sectionName ?? '') === (b.sectionName ?? '') &&
    (a.port ?? 0) === (b.port ?? 0)
  );
}

function stampGateway(status: GatewayStatus, prev: GatewayStatus | undefined, now: string): GatewayStatus {
  const out: GatewayStatus = {
    ...status,
    conditions: stampConditions(status.conditions ?? [], prev?.conditions, now),
  };
  if (status.listeners) {
    out.listeners = status.listeners.map((l) => ({
      ...l,
      conditions: stampConditions(
        l.conditions,
        prev?.listeners?.find((p) => p.name === l.name)?.conditions,
        now,
      ),
    }));
  }
  return out;
}

/** Adds status.addresses and marks listeners (and the Gateway) whose ports could not be bound. */
function overlayBindReport(
  status: GatewayStatus,
  bound: GatewayBindReport,
  ports: ReadonlyMap<string, number> | undefined,
): GatewayStatus {
  const out: GatewayStatus = {
    ...status,
    addresses: bound.addresses.map((value) => ({ type: 'IPAddress', value })),
  };
  if (bound.portErrors.length === 0) return out;
  const failed = new Map(bound.portErrors.map((e) => [e.port, e.message]));
  out.listeners = (status.listeners ?? []).map((l) => markListener(l, ports?.get(l.name), failed));
  const allFailed = (out.listeners ?? []).every(
    (l) => ports?.get(l.name) !== undefined && failed.has(ports.get(l.name)!),
  );
  if (allFailed) {
    const notAvailable = bound.portErrors.some((e) => e.message.includes('EADDRNOTAVAIL'));
    const generation = status.conditions?.[0]?.observedGeneration;
    out.conditions = setCondition(status.conditions ?? [], {
      type: 'Programmed',
      status: 'False',
      reason: notAvailable ? 'AddressNotUsable' : 'Invalid',
      message: `No listener could be bound: ${bound.portErrors.map((e) => `port ${e.port}: ${e.message}`).join('; ')}`,
      ...(generation !== undefined ? { observedGeneration: generation } : {}),
    });
  }
  return out;
}

function markListener(
  l: ListenerStatus,
  port: number | undefined,
  failed: Map<number, string>,
): ListenerStatus {
  const message = port !== undefined ? failed.get(port) : undefined;
  if (message === undefined) return l;
  const generation = l.conditions[0]?.observedGeneration;
  const gen = generation !== undefined ? { observedGeneration: generation } : {};
  const conditions: Condition[] = setCondition(
    setCondition(l.conditions, {
      type: 'Accepted',
      status: 'False',
      reason: 'PortUnavailable',
      message: `Port ${port} could not be bound: ${message}`,
      ...gen,
    }),
    { type: 'Programmed', status: 'False', reason: 'Invalid', message: `Port ${port} is not bound`, ...gen },
  );
  return { ...l, conditions };
}
