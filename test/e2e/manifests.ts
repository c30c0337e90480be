// Gateway API manifests for the CLI end-to-end tests: builders for the objects a test writes into
// a watched directory (as YAML, one file per concern), and readers for the statuses /status
// reports. Backends are local echo servers, reached through a Service and an EndpointSlice on
// 127.0.0.1 (which file mode accepts).

import { rename, writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import type { Condition, GatewayStatus, RouteStatus } from '../../src/resources/types.js';
import type { StatusUpdate } from '../../src/translator/types.js';

export const CONTROLLER = 'gatehouse.dev/gateway-controller';
const GW = 'gateway.networking.k8s.io/v1';

type Obj = Record<string, unknown>;

export const gatewayClass = (name = 'gatehouse', controllerName = CONTROLLER): Obj => ({
  apiVersion: GW,
  kind: 'GatewayClass',
  metadata: { name },
  spec: { controllerName },
});

export interface ListenerSpec {
  name: string;
  port: number;
  protocol?: 'HTTP' | 'HTTPS';
  hostname?: string;
  /** Secret names for an HTTPS listener. */
  certificates?: string[];
}

export const gateway = (name: string, listeners: ListenerSpec[], className = 'gatehouse'): Obj => ({
  apiVersion: GW,
  kind: 'Gateway',
  metadata: { name, namespace: 'default' },
  spec: {
    gatewayClassName: className,
    listeners: listeners.map((l) => ({
      name: l.name,
      port: l.port,
      protocol: l.protocol ?? 'HTTP',
      ...(l.hostname ? { hostname: l.hostname } : {}),
      ...(l.certificates
        ? { tls: { mode: 'Terminate', certificateRefs: l.certificates.map((c) => ({ name: c })) } }
        : {}),
    })),
  },
});

export interface RouteSpec {
  parents: string[];
  hostnames?: string[];
  /** PathPrefix per rule, each to the named Service (port 80). */
  rules: { prefix: string; backend: string }[];
}

export const httpRoute = (name: string, spec: RouteSpec): Obj => ({
  apiVersion: GW,
  kind: 'HTTPRoute',
  metadata: { name, namespace: 'default' },
  spec: {
    parentRefs: spec.parents.map((p) => ({ name: p })),
    ...(spec.hostnames ? { hostnames: spec.hostnames } : {}),
    rules: spec.rules.map((r) => ({
      matches: [{ path: { type: 'PathPrefix', value: r.prefix } }],
      backendRefs: [{ name: r.backend, port: 80 }],
    })),
  },
});

/** A Service on port 80 and its EndpointSlice pointing at 127.0.0.1:`port`. */
export const backendService = (name: string, port: number): Obj[] => [
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: { ports: [{ name: 'http', port: 80, targetPort: port }] },
  },
  {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${name}-1`, namespace: 'default', labels: { 'kubernetes.io/service-name': name } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
    ports: [{ name: 'http', port, protocol: 'TCP' }],
  },
];

export const tlsSecret = (name: string, certPem: string, keyPem: string): Obj => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace: 'default' },
  type: 'kubernetes.io/tls',
  data: {
    'tls.crt': Buffer.from(certPem).toString('base64'),
    'tls.key': Buffer.from(keyPem).toString('base64'),
  },
});

export function toYaml(objects: Obj[]): string {
  return objects.map((o) => stringify(o)).join('---\n');
}

export function writeManifests(path: string, objects: Obj[]): Promise<void> {
  return writeFile(path, toYaml(objects));
}

/** Writes a sibling temp file and renames it over `path` (how many editors and tools save). */
export async function writeByRename(path: string, text: string): Promise<void> {
  const temp = `${path}.tmp~`;
  await writeFile(temp, text);
  await rename(temp, path);
}

// ---- reading /status ----------------------------------------------------------------------------

export function findStatus(
  statuses: StatusUpdate[],
  kind: StatusUpdate['kind'],
  name: string,
): StatusUpdate | undefined {
  return statuses.find((s) => s.kind === kind && s.name === name);
}

export function gatewayStatus(statuses: StatusUpdate[], name: string): GatewayStatus | undefined {
  const s = findStatus(statuses, 'Gateway', name);
  return s?.kind === 'Gateway' ? s.status : undefined;
}

export function routeStatus(statuses: StatusUpdate[], name: string): RouteStatus | undefined {
  const s = findStatus(statuses, 'HTTPRoute', name);
  return s?.kind === 'HTTPRoute' ? s.status : undefined;
}

export function listenerCondition(
  statuses: StatusUpdate[],
  gatewayName: string,
  listenerName: string,
  type: string,
): Condition | undefined {
  const listener = gatewayStatus(statuses, gatewayName)?.listeners?.find((l) => l.name === listenerName);
  return listener?.conditions.find((c) => c.type === type);
}

export function routeCondition(
  statuses: StatusUpdate[],
  routeName: string,
  type: string,
): Condition | undefined {
  return routeStatus(statuses, routeName)?.parents[0]?.conditions.find((c) => c.type === type);
}
