/**
 * Status comparisons of the upstream suite (conformance/utils/kubernetes/helpers.go), as pure
 * functions: conditions carry the latest observedGeneration; a condition is found by type with an
 * optional status and reason ("" matches any); expected conditions are a subset of the actual;
 * route parents match by controller, group, kind, name, namespace (optional unless required) and
 * conditions; listener status matches as a set (count exact, supportedKinds a superset,
 * attachedRoutes exact, conditions a subset). Each answers true or the reason it does not match.
 */

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
}

export interface ParentRef {
  group?: string;
  kind?: string;
  namespace?: string;
  name: string;
  sectionName?: string;
  port?: number;
}

export interface RouteParentStatus {
  parentRef: ParentRef;
  controllerName: string;
  conditions: Condition[];
}

export interface RouteGroupKind {
  group?: string;
  kind: string;
}

export interface ListenerStatus {
  name: string;
  supportedKinds: RouteGroupKind[];
  attachedRoutes: number;
  conditions: Condition[];
}

export type Match = true | string;

const GATEWAY_GROUP = 'gateway.networking.k8s.io';

export function latestGeneration(generation: number | undefined, conditions: readonly Condition[]): Match {
  const stale = conditions.filter((c) => c.observedGeneration !== generation);
  if (stale.length === 0) return true;
  const list = stale.map((c) => `${c.type} (generation ${c.observedGeneration})`).join(', ');
  return `expected observedGeneration to be updated to ${generation} for all conditions, only ${conditions.length - stale.length}/${conditions.length} were updated. stale conditions are: ${list}`;
}

export function findCondition(
  conditions: readonly Condition[],
  type: string,
  status = '',
  reason = '',
): boolean {
  return conditions.some(
    (c) =>
      c.type === type && (status === '' || c.status === status) && (reason === '' || c.reason === reason),
  );
}

export function conditionsMatch(expected: readonly Condition[], actual: readonly Condition[]): Match {
  if (actual.length < expected.length)
    return `expected at least ${expected.length} conditions, got ${describe(actual)}`;
  for (const c of expected) {
    if (!findCondition(actual, c.type, c.status, c.reason)) {
      return `expected ${c.type}=${c.status}${c.reason ? `/${c.reason}` : ''}, got ${describe(actual)}`;
    }
  }
  return true;
}

export function describe(conditions: readonly Condition[] | undefined): string {
  if (!conditions || conditions.length === 0) return '[]';
  return `[${conditions.map((c) => `${c.type}=${c.status}/${c.reason ?? ''}@${c.observedGeneration ?? '-'}`).join(', ')}]`;
}

/** Every expected parent is matched by some actual parent (upstream's parentsForRouteMatch). */
export function parentsMatch(
  expected: readonly RouteParentStatus[],
  actual: readonly RouteParentStatus[],
  namespaceRequired: boolean,
): Match {
  for (const want of expected) {
    const reasons: string[] = [];
    const found = actual.some((got) => {
      const why = parentMismatch(want, got, namespaceRequired);
      if (why !== true) reasons.push(why);
      return why === true;
    });
    if (!found) {
      return `no parent matches ${want.parentRef.name}/${want.parentRef.sectionName ?? ''}: ${reasons.join('; ') || 'no parents in status'}`;
    }
  }
  return true;
}

function parentMismatch(want: RouteParentStatus, got: RouteParentStatus, namespaceRequired: boolean): Match {
  if (got.controllerName !== want.controllerName) return `controllerName ${got.controllerName}`;
  if ((got.parentRef.group ?? null) !== (want.parentRef.group ?? null)) return `group ${got.parentRef.group}`;
  if ((got.parentRef.kind ?? null) !== (want.parentRef.kind ?? null)) return `kind ${got.parentRef.kind}`;
  if (got.parentRef.name !== want.parentRef.name) return `name ${got.parentRef.name}`;
  if ((got.parentRef.namespace ?? null) !== (want.parentRef.namespace ?? null)) {
    if (namespaceRequired || got.parentRef.namespace !== undefined)
      return `namespace ${got.parentRef.namespace}`;
  }
  const conditions = conditionsMatch(want.conditions, got.conditions);
  return conditions === true ? true : `${got.parentRef.name}: ${conditions}`;
}

/** Upstream's gatewayListenersMatch. */
export function listenersMatch(
  expected: readonly ListenerStatus[],
  actual: readonly ListenerStatus[],
): Match {
  if (expected.length !== actual.length) {
    return `expected ${expected.length} Gateway status listeners, got ${actual.length}`;
  }
  for (const want of expected) {
    const got = actual.find((l) => l.name === want.name);
    if (!got) return `expected status for listener ${want.name} to be present`;
    const gotKinds = got.supportedKinds ?? [];
    if (want.supportedKinds.length === 0 && gotKinds.length !== 0) {
      return `listener ${want.name}: expected no supportedKinds, got ${JSON.stringify(gotKinds)}`;
    }
    for (const kind of want.supportedKinds) {
      const present = gotKinds.some(
        (k) => (k.group ?? GATEWAY_GROUP) === (kind.group ?? GATEWAY_GROUP) && k.kind === kind.kind,
      );
      if (!present)
        return `listener ${want.name}: expected ${kind.kind} in supportedKinds, got ${JSON.stringify(gotKinds)}`;
    }
    if (got.attachedRoutes !== want.attachedRoutes) {
      return `listener ${want.name}: expected attachedRoutes ${want.attachedRoutes}, got ${got.attachedRoutes}`;
    }
    const conditions = conditionsMatch(want.conditions, got.conditions ?? []);
    if (conditions !== true) return `listener ${want.name}: ${conditions}`;
  }
  return true;
}

/** A parentRef to a Gateway as upstream tests write it (group and kind set, namespace given). */
export function gatewayParentRef(namespace: string, name: string, sectionName?: string): ParentRef {
  return {
    group: GATEWAY_GROUP,
    kind: 'Gateway',
    name,
    namespace,
    ...(sectionName !== undefined && sectionName !== '' ? { sectionName } : {}),
  };
}
