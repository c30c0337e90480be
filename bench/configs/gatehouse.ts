// Gateway API YAML for `gatehouse serve -f <dir>`: a GatewayClass, a Gateway with one HTTP listener,
// the backend as a Service plus an EndpointSlice on 127.0.0.1, and the HTTPRoutes of a RouteSet.
// The route change scenario rewrites only `change.yaml`, so the helpers return files by name.

import { stringify } from 'yaml';
import { CHANGE_HOST, changePath, manyHost, manyPrefix, type RouteSet, STABLE_HOST } from './routes.js';

export const CONTROLLER_NAME = 'gatehouse.dev/gateway-controller';
const NAMESPACE = 'default';
const GATEWAY = 'bench';
const SERVICE = 'backend';

export interface ConfigFile {
  name: string;
  text: string;
}

function documents(objects: readonly object[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
}

function baseObjects(proxyPort: number, backendPort: number): object[] {
  return [
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GatewayClass',
      metadata: { name: 'gatehouse' },
      spec: { controllerName: CONTROLLER_NAME },
    },
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: GATEWAY, namespace: NAMESPACE },
      spec: {
        gatewayClassName: 'gatehouse',
        listeners: [{ name: 'http', protocol: 'HTTP', port: proxyPort }],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: SERVICE, namespace: NAMESPACE },
      spec: { ports: [{ name: 'http', port: 80, targetPort: backendPort }] },
    },
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: `${SERVICE}-1`,
        namespace: NAMESPACE,
        labels: { 'kubernetes.io/service-name': SERVICE },
      },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
      ports: [{ name: 'http', port: backendPort, protocol: 'TCP' }],
    },
  ];
}

export function httpRoute(name: string, hostnames: string[], pathType: string, path: string): object {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name, namespace: NAMESPACE },
    spec: {
      parentRefs: [{ name: GATEWAY }],
      ...(hostnames.length > 0 ? { hostnames } : {}),
      rules: [
        {
          matches: [{ path: { type: pathType, value: path } }],
          backendRefs: [{ name: SERVICE, port: 80 }],
        },
      ],
    },
  };
}

/** The changing route alone: what the route change scenario writes on every change. */
export function changeRouteFile(generation: number): ConfigFile {
  const route = httpRoute('changing', [CHANGE_HOST], 'PathPrefix', changePath(generation));
  return { name: 'change.yaml', text: documents([route]) };
}

function routeFiles(routes: RouteSet): ConfigFile[] {
  if (routes.kind === 'catch-all') {
    return [{ name: 'routes.yaml', text: documents([httpRoute('all', [], 'PathPrefix', '/')]) }];
  }
  if (routes.kind === 'many') {
    const list = Array.from({ length: routes.count }, (_, i) =>
      // Gateway API PathPrefix matches whole segments, so the prefix is given without its slash.
      httpRoute(`route-${i}`, [manyHost(i)], 'PathPrefix', manyPrefix(i).slice(0, -1)),
    );
    return [{ name: 'routes.yaml', text: documents(list) }];
  }
  const stable = httpRoute('stable', [STABLE_HOST], 'PathPrefix', '/');
  return [{ name: 'stable.yaml', text: documents([stable]) }, changeRouteFile(routes.generation)];
}

export function gatehouseFiles(proxyPort: number, backendPort: number, routes: RouteSet): ConfigFile[] {
  return [{ name: 'base.yaml', text: documents(baseObjects(proxyPort, backendPort)) }, ...routeFiles(routes)];
}
