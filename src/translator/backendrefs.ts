// backendRefs (and RequestMirror backendRefs) → cluster names. Checks run in the order that
// keeps the status truthful without leaking: group/kind must be core Service (InvalidKind); a
// cross-namespace reference needs a ReferenceGrant (RefNotPermitted, decided before the Service is
// looked up, so the status never reveals whether it exists); the Service and the referenced port
// must exist (BackendNotFound); the port's appProtocol must be one the data plane speaks
// (UnsupportedProtocol).

import type { ServicePort } from '../resources/types.js';
import type { RefProblem, RouteResolvedRefsReason } from './conditions.js';
import type { TranslateContext } from './context.js';
import { isReferenceAllowed } from './referencegrants.js';
import { asArray, asInteger, asName, asRecord, asString } from './values.js';

export type BackendProblem = RefProblem<RouteResolvedRefsReason>;

export type BackendResult = { ok: true; cluster: string } | { ok: false; problem: BackendProblem };

/**
 * appProtocol values the data plane can speak to a backend (absent means HTTP/1.1). HTTPS is
 * HTTP/1.1 over the TLS a BackendTLSPolicy configures for the port.
 */
const SUPPORTED_APP_PROTOCOLS = new Set([
  '',
  'http',
  'HTTP',
  'https',
  'HTTPS',
  'kubernetes.io/h2c',
  'kubernetes.io/ws',
]);

export function clusterName(namespace: string, service: string, port: number): string {
  return `${namespace}/${service}:${port}`;
}

export function resolveBackendRef(
  ctx: TranslateContext,
  routeNamespace: string,
  ref: unknown,
): BackendResult {
  const record = asRecord(ref) ?? {};
  const name = asName(record.name);
  if (name === undefined) return problem('BackendNotFound', 'A backendRef has no name.');
  const group = asString(record.group) ?? '';
  const kind = asString(record.kind) ?? 'Service';
  if (group !== '' || kind !== 'Service') {
    return problem('InvalidKind', `backendRef ${name}: group "${group}" kind "${kind}" is not supported.`);
  }
  const namespace = asName(record.namespace) ?? routeNamespace;
  const target = `${namespace}/${name}`;
  const to = { group: '', kind: 'Service', namespace, name };
  if (!isReferenceAllowed(ctx, { kind: 'HTTPRoute', namespace: routeNamespace }, to)) {
    return problem(
      'RefNotPermitted',
      `backendRef to Service ${target} is not permitted by any ReferenceGrant.`,
    );
  }
  const service = ctx.services.get(target);
  if (!service) return problem('BackendNotFound', `Service ${target} does not exist.`);
  const port = asInteger(record.port);
  if (port === undefined)
    return problem('BackendNotFound', `backendRef to Service ${target} must set a port.`);
  const servicePort = findServicePort(service.spec, port);
  if (!servicePort) return problem('BackendNotFound', `Service ${target} has no port ${port}.`);
  const appProtocol = asString(servicePort.appProtocol) ?? '';
  if (!SUPPORTED_APP_PROTOCOLS.has(appProtocol)) {
    return problem(
      'UnsupportedProtocol',
      `Port ${port} of Service ${target} has unsupported appProtocol "${appProtocol}".`,
    );
  }
  return { ok: true, cluster: clusterName(namespace, name, port) };
}

export function findServicePort(serviceSpec: unknown, port: number): ServicePort | undefined {
  return asArray<ServicePort>(asRecord(serviceSpec)?.ports).find((entry) => asRecord(entry)?.port === port);
}

function problem(reason: RouteResolvedRefsReason, message: string): BackendResult {
  return { ok: false, problem: { reason, message } };
}
