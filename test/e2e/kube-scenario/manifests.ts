// What the scenario creates, all named from one random suffix so that it can run against a shared
// cluster (and twice at once) without touching anything else: a Namespace of its own (holding the
// Gateways, HTTPRoutes, the Service and the Lease), two cluster-scoped GatewayClasses (one for a
// controllerName only this run's controllers answer to, one for a controller that does not run),
// and readers for the status fields the scenario checks.

import { randomBytes } from 'node:crypto';
import type {
  Condition,
  Gateway,
  GatewayClass,
  HTTPRoute,
  KubeObject,
  RouteParentStatus,
  Service,
} from '../../../src/resources/types.js';
import type { ObjectRef } from './cluster.js';

const GW = 'gateway.networking.k8s.io/v1';

export interface ScenarioNames {
  suffix: string;
  namespace: string;
  /** GatewayClass our controllers accept, and the controllerName they are started with. */
  ourClass: string;
  controllerName: string;
  /** GatewayClass of a controller that does not run: nothing may be written for it. */
  otherClass: string;
  otherControllerName: string;
  lease: string;
  gateway: string;
  otherGateway: string;
  route: string;
  otherRoute: string;
  service: string;
  listener: string;
}

export function randomSuffix(): string {
  return randomBytes(4).toString('hex');
}

export function scenarioNames(suffix = randomSuffix()): ScenarioNames {
  const base = `gatehouse-e2e-${suffix}`;
  return {
    suffix,
    namespace: base,
    ourClass: base,
    controllerName: `gatehouse.dev/e2e-${suffix}`,
    otherClass: `${base}-other`,
    otherControllerName: `example.com/e2e-${suffix}-other`,
    lease: 'gatehouse-e2e',
    gateway: 'gw',
    otherGateway: 'other-gw',
    route: 'web',
    otherRoute: 'other-web',
    service: 'web',
    listener: 'http',
  };
}

export const namespaceRef = (n: ScenarioNames): ObjectRef => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: n.namespace },
});

export const gatewayClassRef = (name: string): ObjectRef => ({
  apiVersion: GW,
  kind: 'GatewayClass',
  metadata: { name },
});

const inNamespace = (n: ScenarioNames, apiVersion: string, kind: string, name: string): ObjectRef => ({
  apiVersion,
  kind,
  metadata: { name, namespace: n.namespace },
});

export const gatewayRef = (n: ScenarioNames, name = n.gateway) => inNamespace(n, GW, 'Gateway', name);
export const routeRef = (n: ScenarioNames, name = n.route) => inNamespace(n, GW, 'HTTPRoute', name);
export const serviceRef = (n: ScenarioNames) => inNamespace(n, 'v1', 'Service', n.service);
export const leaseRef = (n: ScenarioNames) => inNamespace(n, 'coordination.k8s.io/v1', 'Lease', n.lease);

const labels = { 'app.kubernetes.io/created-by': 'gatehouse-e2e-kube' };

export const namespace = (n: ScenarioNames): KubeObject => ({
  ...namespaceRef(n),
  metadata: { name: n.namespace, labels },
});

export const gatewayClass = (name: string, controllerName: string): GatewayClass => ({
  apiVersion: GW,
  kind: 'GatewayClass',
  metadata: { name, labels },
  spec: { controllerName },
});

export const gateway = (n: ScenarioNames, name: string, className: string, port: number): Gateway => ({
  apiVersion: GW,
  kind: 'Gateway',
  metadata: { name, namespace: n.namespace },
  spec: {
    gatewayClassName: className,
    listeners: [{ name: n.listener, port, protocol: 'HTTP' }],
  },
});

/** Parent references as the scenario changes them: a section name, or none. */
export const parentRefs = (gatewayName: string, sectionName?: string) => [
  { name: gatewayName, ...(sectionName ? { sectionName } : {}) },
];

export const backendRules = (service: string) => [{ backendRefs: [{ name: service, port: 80 }] }];

export const httpRoute = (n: ScenarioNames, name: string, gatewayName: string): HTTPRoute => ({
  apiVersion: GW,
  kind: 'HTTPRoute',
  metadata: { name, namespace: n.namespace },
  spec: { parentRefs: parentRefs(gatewayName), rules: backendRules(n.service) },
});

/** A Service without a selector: the route only needs it to exist with port 80. */
export const service = (n: ScenarioNames): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: n.service, namespace: n.namespace },
  spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
});

// ---- reading status ------------------------------------------------------------------------------

export function conditionOf(conditions: Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** `Accepted=True(Accepted)@2 ...`: type, status, reason and observedGeneration of each. */
export function describeConditions(conditions: Condition[] | undefined): string {
  if (!conditions?.length) return 'no conditions';
  return conditions.map((c) => `${c.type}=${c.status}(${c.reason})@${c.observedGeneration ?? '?'}`).join(' ');
}

/** The condition, if it has this status (and reason) and was computed for `generation`. */
export function conditionHolds(
  conditions: Condition[] | undefined,
  type: string,
  status: Condition['status'],
  generation: number | undefined,
  reason?: string,
): boolean {
  const c = conditionOf(conditions, type);
  return (
    c?.status === status &&
    (reason === undefined || c.reason === reason) &&
    c.observedGeneration === generation
  );
}

/** This controller's entry for `gatewayName` in a route's status.parents. */
export function ourParent(
  route: HTTPRoute | undefined,
  controllerName: string,
  gatewayName: string,
): RouteParentStatus | undefined {
  return route?.status?.parents.find(
    (p) => p.controllerName === controllerName && p.parentRef.name === gatewayName,
  );
}

/** `generation 3; parents: a/gw[Accepted=True(...)...]` for timeout messages. */
export function describeRoute(route: HTTPRoute | undefined): string {
  if (!route) return 'route not found';
  const parents = (route.status?.parents ?? []).map(
    (p) => `${p.controllerName} ${p.parentRef.name}[${describeConditions(p.conditions)}]`,
  );
  return `generation ${route.metadata.generation}; parents: ${parents.length ? parents.join(', ') : 'none'}`;
}

export function describeGateway(gw: Gateway | undefined): string {
  if (!gw) return 'gateway not found';
  const listeners = (gw.status?.listeners ?? []).map(
    (l) => `${l.name} attachedRoutes=${l.attachedRoutes} [${describeConditions(l.conditions)}]`,
  );
  return `generation ${gw.metadata.generation}; ${describeConditions(gw.status?.conditions)}; listeners: ${
    listeners.join(', ') || 'none'
  }`;
}
