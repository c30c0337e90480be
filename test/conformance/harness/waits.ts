/**
 * The waits of the upstream suite's Kubernetes helpers, each polling the API with the same
 * interval and timeout as upstream (and, where upstream does, insisting that conditions carry the
 * object's latest generation first): GatewayClass accepted, Gateway address, Gateway and listener
 * conditions, listener status, routes' parents and conditions, no accepted parents, zero routes,
 * namespaces ready.
 */
import { type AnyObject, GATEWAY_V1, type Kube } from './kube.js';
import {
  type Condition,
  conditionsMatch,
  describe,
  findCondition,
  gatewayParentRef,
  type ListenerStatus,
  latestGeneration,
  listenersMatch,
  type Match,
  parentsMatch,
  type RouteParentStatus,
} from './status.js';
import { poll, type T } from './t.js';
import type { TimeoutConfig } from './timeouts.js';

export interface NamespacedName {
  namespace: string;
  name: string;
}

export interface GatewayRef extends NamespacedName {
  /** Listener names the route attaches to; [""] (the whole Gateway) when omitted. */
  listenerNames?: string[];
}

export interface Waits {
  kube: Kube;
  timeouts: TimeoutConfig;
}

interface GatewayLike extends AnyObject {
  spec: { listeners?: { name: string; port: number }[] };
  status?: {
    conditions?: Condition[];
    addresses?: { type?: string; value: string }[];
    listeners?: ListenerStatus[];
  };
}

interface RouteLike extends AnyObject {
  status?: { parents?: RouteParentStatus[] };
}

const gatewayRef = (nn: NamespacedName) => ({ apiVersion: GATEWAY_V1, kind: 'Gateway', ...nn });
const routeRef = (nn: NamespacedName, kind = 'HTTPRoute') => ({ apiVersion: GATEWAY_V1, kind, ...nn });
const nnText = (nn: NamespacedName) => `${nn.namespace}/${nn.name}`;

async function getGateway(w: Waits, nn: NamespacedName): Promise<GatewayLike> {
  return w.kube.mustGet<GatewayLike>(gatewayRef(nn));
}

/** Waits for GatewayClass Accepted (status "" = any) with fresh conditions; returns its controllerName. */
export async function gwcMustBeAccepted(t: T, w: Waits, name: string, status = 'True'): Promise<string> {
  let controllerName = '';
  await poll(
    t,
    `GatewayClass ${name} Accepted`,
    w.timeouts.defaultPollInterval,
    w.timeouts.gwcMustBeAccepted,
    async () => {
      const gwc = await w.kube.mustGet({ apiVersion: GATEWAY_V1, kind: 'GatewayClass', name });
      controllerName = String((gwc.spec as { controllerName?: string }).controllerName ?? '');
      const conditions = (gwc.status as { conditions?: Condition[] } | undefined)?.conditions ?? [];
      const fresh = latestGeneration(gwc.metadata.generation, conditions);
      if (fresh !== true) return fresh;
      return findCondition(conditions, 'Accepted', status) || `conditions ${describe(conditions)}`;
    },
  );
  return controllerName;
}

/** Upstream's WaitForGatewayAddress: the first status address with a type, and the listener's port. */
export async function waitForGatewayAddress(t: T, w: Waits, ref: GatewayRef): Promise<string> {
  let address = '';
  await poll(
    t,
    `Gateway ${nnText(ref)} address`,
    w.timeouts.defaultPollInterval,
    w.timeouts.gatewayMustHaveAddress,
    async () => {
      const gw = await getGateway(w, ref);
      const fresh = latestGeneration(gw.metadata.generation, gw.status?.conditions ?? []);
      if (fresh !== true) return fresh;
      const listeners = gw.spec.listeners ?? [];
      const wanted = ref.listenerNames?.[0];
      const listener = (wanted ? listeners.find((l) => l.name === wanted) : undefined) ?? listeners[0];
      const typed = (gw.status?.addresses ?? []).find((a) => a.type);
      if (!typed || !listener) return `addresses ${JSON.stringify(gw.status?.addresses ?? [])}`;
      address = joinHostPort(typed.value, listener.port);
      return true;
    },
  );
  return address;
}

export function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export function hostOf(address: string): string {
  return address.slice(0, address.lastIndexOf(':')).replace(/^\[|\]$/g, '');
}

/** Upstream's GatewayAndRoutesMustBeAccepted for HTTPRoutes; `usePort` false drops the port. */
export async function gatewayAndHTTPRoutesMustBeAccepted(
  t: T,
  w: Waits,
  controllerName: string,
  gw: GatewayRef,
  routes: readonly NamespacedName[],
  usePort = true,
): Promise<string> {
  const address = await waitForGatewayAddress(t, w, gw);
  for (const route of routes) {
    const parents = (gw.listenerNames ?? ['']).map((section) => ({
      parentRef: gatewayParentRef(gw.namespace, gw.name, section),
      controllerName,
      conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted' }],
    }));
    await routeMustHaveParents(t, w, route, parents, route.namespace !== gw.namespace);
  }
  const required = ['ResolvedRefs', 'Accepted', 'Programmed'].map((type) => ({ type, status: 'True' }));
  await gatewayListenersMustHaveConditions(t, w, gw, required);
  return usePort ? address : hostOf(address);
}

export async function routeMustHaveParents(
  t: T,
  w: Waits,
  route: NamespacedName,
  parents: readonly RouteParentStatus[],
  namespaceRequired: boolean,
  kind = 'HTTPRoute',
): Promise<void> {
  await poll(
    t,
    `${kind} ${nnText(route)} parents`,
    w.timeouts.defaultPollInterval,
    w.timeouts.routeMustHaveParents,
    async () => {
      const r = await w.kube.mustGet<RouteLike>(routeRef(route, kind));
      const actual = r.status?.parents ?? [];
      for (const parent of actual) {
        const fresh = latestGeneration(r.metadata.generation, parent.conditions);
        if (fresh !== true) return fresh;
      }
      return parentsMatch(parents, actual, namespaceRequired);
    },
  );
}

export async function httpRouteMustHaveLatestConditions(
  t: T,
  w: Waits,
  route: NamespacedName,
): Promise<void> {
  await poll(
    t,
    `HTTPRoute ${nnText(route)} latest conditions`,
    w.timeouts.defaultPollInterval,
    w.timeouts.latestObservedGenerationSet,
    async () => {
      const r = await w.kube.mustGet<RouteLike>(routeRef(route));
      for (const parent of r.status?.parents ?? []) {
        const fresh = latestGeneration(r.metadata.generation, parent.conditions);
        if (fresh !== true) return fresh;
      }
      return true;
    },
  );
}

export async function gatewayMustHaveLatestConditions(t: T, w: Waits, gw: NamespacedName): Promise<void> {
  await poll(
    t,
    `Gateway ${nnText(gw)} latest conditions`,
    w.timeouts.defaultPollInterval,
    w.timeouts.latestObservedGenerationSet,
    async () => {
      const g = await getGateway(w, gw);
      return latestGeneration(g.metadata.generation, g.status?.conditions ?? []);
    },
  );
}

export async function gatewayClassMustHaveLatestConditions(t: T, w: Waits, name: string): Promise<void> {
  await poll(
    t,
    `GatewayClass ${name} latest conditions`,
    w.timeouts.defaultPollInterval,
    w.timeouts.latestObservedGenerationSet,
    async () => {
      const gwc = await w.kube.mustGet({ apiVersion: GATEWAY_V1, kind: 'GatewayClass', name });
      return latestGeneration(
        gwc.metadata.generation,
        (gwc.status as { conditions?: Condition[] })?.conditions ?? [],
      );
    },
  );
}

/** Upstream's GatewayMustHaveCondition: stale conditions end the wait with a failure at once. */
export async function gatewayMustHaveCondition(
  t: T,
  w: Waits,
  gw: NamespacedName,
  condition: Condition,
): Promise<void> {
  await poll(
    t,
    `Gateway ${nnText(gw)} condition ${condition.type}=${condition.status}/${condition.reason ?? ''}`,
    w.timeouts.defaultPollInterval,
    w.timeouts.gatewayMustHaveCondition,
    async () => {
      const g = await getGateway(w, gw);
      const conditions = g.status?.conditions ?? [];
      const fresh = latestGeneration(g.metadata.generation, conditions);
      if (fresh !== true) throw new Error(fresh);
      return (
        findCondition(conditions, condition.type, condition.status, condition.reason) ||
        `conditions ${describe(conditions)}`
      );
    },
  );
}

/** Every listener (or those named) has every condition. */
export async function gatewayListenersMustHaveConditions(
  t: T,
  w: Waits,
  gw: NamespacedName,
  conditions: readonly Condition[],
  listenerNames: readonly string[] = [],
): Promise<void> {
  await poll(
    t,
    `Gateway ${nnText(gw)} listener conditions`,
    w.timeouts.defaultPollInterval,
    w.timeouts.gatewayListenersMustHaveConditions,
    async () => {
      const g = await getGateway(w, gw);
      const unmatched = new Set(listenerNames);
      for (const listener of g.status?.listeners ?? []) {
        if (listenerNames.length > 0 && !listenerNames.includes(listener.name)) continue;
        for (const c of conditions) {
          if (!findCondition(listener.conditions, c.type, c.status, c.reason)) {
            return `listener ${listener.name} lacks ${c.type}=${c.status}: ${describe(listener.conditions)}`;
          }
        }
        unmatched.delete(listener.name);
      }
      return unmatched.size === 0 || `listeners not in status: ${[...unmatched].join(', ')}`;
    },
  );
}

export async function gatewayStatusMustHaveListeners(
  t: T,
  w: Waits,
  gw: NamespacedName,
  listeners: readonly ListenerStatus[],
): Promise<void> {
  await poll(
    t,
    `Gateway ${nnText(gw)} listener status`,
    w.timeouts.defaultPollInterval,
    w.timeouts.gatewayStatusMustHaveListeners,
    async () => {
      const g = await getGateway(w, gw);
      const fresh = latestGeneration(g.metadata.generation, g.status?.conditions ?? []);
      if (fresh !== true) return fresh;
      return listenersMatch(listeners, g.status?.listeners ?? []);
    },
  );
}

/** No listeners in status, or exactly one with no attached routes. */
export async function gatewayMustHaveZeroRoutes(t: T, w: Waits, gw: NamespacedName): Promise<void> {
  await poll(
    t,
    `Gateway ${nnText(gw)} with zero routes`,
    w.timeouts.defaultPollInterval,
    w.timeouts.gatewayStatusMustHaveListeners,
    async () => {
      const g = await getGateway(w, gw);
      const fresh = latestGeneration(g.metadata.generation, g.status?.conditions ?? []);
      if (fresh !== true) return fresh;
      const listeners = g.status?.listeners ?? [];
      if (listeners.length === 0 || (listeners.length === 1 && listeners[0]!.attachedRoutes === 0))
        return true;
      return `listeners ${JSON.stringify(listeners.map((l) => [l.name, l.attachedRoutes]))}`;
    },
  );
}

/** No parents, or a single parent that is not Accepted; polled every second (a negative test). */
export async function httpRouteMustHaveNoAcceptedParents(
  t: T,
  w: Waits,
  route: NamespacedName,
): Promise<void> {
  let emptyChecked = false;
  await poll(
    t,
    `HTTPRoute ${nnText(route)} with no accepted parents`,
    1000,
    w.timeouts.httpRouteMustNotHaveParents,
    async () => {
      const r = await w.kube.mustGet<RouteLike>(routeRef(route));
      const parents = r.status?.parents ?? [];
      if (parents.length === 0) {
        if (emptyChecked) return true;
        emptyChecked = true;
        return 'no parents yet (checking once more)';
      }
      if (parents.length > 1) return `${parents.length} parents`;
      const fresh = latestGeneration(r.metadata.generation, parents[0]!.conditions);
      if (fresh !== true) return fresh;
      return conditionsMatch([{ type: 'Accepted', status: 'False' }], parents[0]!.conditions);
    },
  );
}

export async function httpRouteMustHaveCondition(
  t: T,
  w: Waits,
  route: NamespacedName,
  gw: NamespacedName,
  condition: Condition,
): Promise<void> {
  await poll(
    t,
    `HTTPRoute ${nnText(route)} condition ${condition.type}=${condition.status}/${condition.reason ?? ''}`,
    w.timeouts.defaultPollInterval,
    w.timeouts.httpRouteMustHaveCondition,
    async () => {
      const r = await w.kube.mustGet<RouteLike>(routeRef(route));
      let found: Match = 'no parent for the Gateway';
      for (const parent of r.status?.parents ?? []) {
        const fresh = latestGeneration(r.metadata.generation, parent.conditions);
        if (fresh !== true) return fresh;
        const sameGateway =
          parent.parentRef.name === gw.name && (parent.parentRef.namespace ?? gw.namespace) === gw.namespace;
        if (!sameGateway) continue;
        if (findCondition(parent.conditions, condition.type, condition.status, condition.reason))
          found = true;
        else if (found !== true) found = `conditions ${describe(parent.conditions)}`;
      }
      return found;
    },
  );
}

export function httpRouteMustHaveResolvedRefsConditionsTrue(
  t: T,
  w: Waits,
  route: NamespacedName,
  gw: NamespacedName,
): Promise<void> {
  return httpRouteMustHaveCondition(t, w, route, gw, {
    type: 'ResolvedRefs',
    status: 'True',
    reason: 'ResolvedRefs',
  });
}

/** Every Gateway (unless annotated to be skipped) Accepted and Programmed, every Pod Ready. */
export async function namespacesMustBeReady(t: T, w: Waits, namespaces: readonly string[]): Promise<void> {
  await poll(
    t,
    `namespaces ${namespaces.join(', ')} ready`,
    w.timeouts.defaultPollInterval,
    w.timeouts.namespacesMustBeReady,
    async () => {
      for (const ns of namespaces) {
        for (const gw of await w.kube.list<GatewayLike>(GATEWAY_V1, 'Gateway', ns)) {
          if (gw.metadata.annotations?.['gateway-api/skip-this-for-readiness'] === 'true') continue;
          const conditions = gw.status?.conditions ?? [];
          const fresh = latestGeneration(gw.metadata.generation, conditions);
          if (fresh !== true) return `Gateway ${ns}/${gw.metadata.name}: ${fresh}`;
          for (const type of ['Accepted', 'Programmed']) {
            if (!findCondition(conditions, type, 'True'))
              return `Gateway ${ns}/${gw.metadata.name} not ${type} yet`;
          }
        }
        for (const pod of await w.kube.list(`v1`, 'Pod', ns)) {
          const status = pod.status as { phase?: string; conditions?: Condition[] } | undefined;
          const ready =
            findCondition(status?.conditions ?? [], 'Ready', 'True') || status?.phase === 'Succeeded';
          if (!ready && !pod.metadata.deletionTimestamp)
            return `Pod ${ns}/${pod.metadata.name} not ready yet`;
        }
      }
      return true;
    },
  );
}
