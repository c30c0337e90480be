// Pure part of the Kubernetes status writer: given an object as the API server has it and the
// status we computed, what `status` should be sent — or undefined when the write would change
// nothing. lastTransitionTime is stamped against the object's current conditions, so a condition
// keeps its time while its status holds, whichever replica or restart wrote it last.

import { isDeepStrictEqual } from 'node:util';
import type {
  BackendTLSPolicy,
  Gateway,
  GatewayClass,
  GatewayClassStatus,
  GatewayStatus,
  HTTPRoute,
  ListenerStatus,
  PolicyAncestorStatus,
  PolicyStatus,
  RouteParentStatus,
  RouteStatus,
} from '../../resources/types.js';
import { sameParent } from '../compose.js';
import { sameConditions, stampConditions } from '../conditions.js';

export function nextGatewayClassStatus(
  current: GatewayClass,
  desired: GatewayClassStatus,
  now: string,
): GatewayClassStatus | undefined {
  const before = current.status ?? {};
  const conditions = stampConditions(desired.conditions ?? [], before.conditions, now);
  const featuresSame =
    desired.supportedFeatures === undefined ||
    isDeepStrictEqual(desired.supportedFeatures, before.supportedFeatures ?? []);
  if (sameConditions(conditions, before.conditions) && featuresSame) return undefined;
  return { ...desired, conditions };
}

/** Fields the computed status leaves out (addresses without a data plane report) are left alone. */
export function nextGatewayStatus(
  current: Gateway,
  desired: GatewayStatus,
  now: string,
): GatewayStatus | undefined {
  const before = current.status ?? {};
  const next: GatewayStatus = {
    conditions: stampConditions(desired.conditions ?? [], before.conditions, now),
  };
  if (desired.listeners) {
    next.listeners = desired.listeners.map((l) => ({
      ...l,
      conditions: stampConditions(
        l.conditions,
        before.listeners?.find((b) => b.name === l.name)?.conditions,
        now,
      ),
    }));
  }
  if (desired.addresses) next.addresses = desired.addresses;
  const unchanged =
    sameConditions(next.conditions, before.conditions) &&
    (next.listeners === undefined || sameListeners(next.listeners, before.listeners ?? [])) &&
    (next.addresses === undefined || isDeepStrictEqual(next.addresses, before.addresses ?? []));
  return unchanged ? undefined : next;
}

/**
 * The route's parents with our entries replaced by `ours` (entries of other controllers kept as
 * they are, in place); `ours` empty removes all our entries.
 */
export function nextRouteStatus(
  current: HTTPRoute,
  ours: RouteParentStatus[],
  controllerName: string,
  now: string,
): RouteStatus | undefined {
  const parents = current.status?.parents ?? [];
  const mine = parents.filter((p) => p.controllerName === controllerName);
  const others = parents.filter((p) => p.controllerName !== controllerName);
  const stamped = ours.map((p) => ({
    ...p,
    controllerName,
    conditions: stampConditions(
      p.conditions,
      mine.find((m) => sameParent(m.parentRef, p.parentRef))?.conditions,
      now,
    ),
  }));
  if (sameParentEntries(stamped, mine)) return undefined;
  return { parents: [...others, ...stamped] };
}

/**
 * The policy's ancestors with our entries replaced by `ours` (other controllers' entries kept in
 * place); `ours` empty removes all our entries.
 */
export function nextPolicyStatus(
  current: BackendTLSPolicy,
  ours: PolicyAncestorStatus[],
  controllerName: string,
  now: string,
): PolicyStatus | undefined {
  const ancestors = current.status?.ancestors ?? [];
  const mine = ancestors.filter((a) => a.controllerName === controllerName);
  const others = ancestors.filter((a) => a.controllerName !== controllerName);
  const stamped = ours.map((a) => ({
    ...a,
    controllerName,
    conditions: stampConditions(
      a.conditions,
      mine.find((m) => sameParent(m.ancestorRef, a.ancestorRef))?.conditions,
      now,
    ),
  }));
  const same =
    stamped.length === mine.length &&
    stamped.every((x) => {
      const y = mine.find((m) => sameParent(m.ancestorRef, x.ancestorRef));
      return y !== undefined && sameConditions(x.conditions, y.conditions);
    });
  return same ? undefined : { ancestors: [...others, ...stamped] };
}

/** Does the route carry status entries written under our controllerName? */
export function hasOwnParentEntries(route: HTTPRoute, controllerName: string): boolean {
  return (route.status?.parents ?? []).some((p) => p.controllerName === controllerName);
}

function sameParentEntries(a: RouteParentStatus[], b: RouteParentStatus[]): boolean {
  return (
    a.length === b.length &&
    a.every((x) => {
      const y = b.find((candidate) => sameParent(candidate.parentRef, x.parentRef));
      return y !== undefined && sameConditions(x.conditions, y.conditions);
    })
  );
}

function sameListeners(a: ListenerStatus[], b: ListenerStatus[]): boolean {
  return (
    a.length === b.length &&
    a.every((x) => {
      const y = b.find((candidate) => candidate.name === x.name);
      return (
        y !== undefined &&
        y.attachedRoutes === x.attachedRoutes &&
        isDeepStrictEqual(normalizeKinds(x.supportedKinds), normalizeKinds(y.supportedKinds)) &&
        sameConditions(x.conditions, y.conditions)
      );
    })
  );
}

/** The API server defaults `group` on supportedKinds; compare with the default applied. */
function normalizeKinds(kinds: ListenerStatus['supportedKinds']): { group: string; kind: string }[] {
  return kinds.map((k) => ({ group: k.group ?? 'gateway.networking.k8s.io', kind: k.kind }));
}
