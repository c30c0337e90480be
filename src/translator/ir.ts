// The IR from the translated state: accepted Gateways (by key) → ports (ascending) → programmed
// listeners (exact hostnames, wildcards longest first, catch-all) → routes in precedence order,
// plus every cluster those routes name. A rule's filters, action and timeouts objects are shared by
// the RouteIRs made from its matches: the IR is read-only data.

import type { ClusterIR, GatewayIR, IR, ListenerIR, PortIR, RouteIR } from '../ir/types.js';
import type { TranslateContext } from './context.js';
import { buildCluster, type UpstreamTlsLookup } from './endpoints.js';
import type { GatewayState } from './gateways.js';
import { compareListenerHostnames } from './hostnames.js';
import { isProgrammed, type ListenerState } from './listeners.js';
import { type RankedRoute, sortByPrecedence } from './precedence.js';
import { compareStrings, groupBy } from './values.js';

export function buildIR(ctx: TranslateContext, gateways: GatewayState[], tlsFor?: UpstreamTlsLookup): IR {
  const gatewayIRs = gateways.filter((gateway) => gateway.accepted.ok).map(gatewayIR);
  return { gateways: gatewayIRs, clusters: clustersFor(ctx, gatewayIRs, tlsFor) };
}

function gatewayIR(gateway: GatewayState): GatewayIR {
  const programmed = gateway.listeners.filter((listener) => isProgrammed(listener, true));
  const ports = [...groupBy(programmed, (listener) => listener.port)]
    .sort(([a], [b]) => a - b)
    .map(([port, listeners]) => portIR(port, listeners));
  const { key, namespace, name } = gateway.meta;
  const ir: GatewayIR = { key, namespace, name, addresses: [...gateway.addresses], ports };
  const clientCertificate = gateway.tls.backendClientCertificate;
  if (clientCertificate) ir.backendClientCertificate = { ...clientCertificate };
  return ir;
}

/** Conflict detection guarantees the listeners of one port share a protocol. */
function portIR(port: number, listeners: ListenerState[]): PortIR {
  const ordered = [...listeners].sort((a, b) => compareListenerHostnames(a.hostname, b.hostname));
  const ir: PortIR = {
    port,
    protocol: listeners[0]?.protocol === 'HTTPS' ? 'HTTPS' : 'HTTP',
    listeners: ordered.map(listenerIR),
  };
  // Frontend validation is per port, so every HTTPS listener of the port carries the same one.
  const validation = listeners.find((l) => l.clientValidation !== undefined)?.clientValidation;
  if (validation) ir.clientValidation = { ...validation, caCertificates: [...validation.caCertificates] };
  return ir;
}

function listenerIR(listener: ListenerState): ListenerIR {
  const ir: ListenerIR = { name: listener.name, hostname: listener.hostname, routes: routesOf(listener) };
  if (listener.protocol === 'HTTPS') ir.certificates = listener.certificates.map((cert) => ({ ...cert }));
  return ir;
}

function routesOf(listener: ListenerState): RouteIR[] {
  const ranked: RankedRoute[] = [];
  for (const { route, hostnames } of listener.attachments.values()) {
    const { namespace, name, created } = route.meta;
    for (const rule of route.rules) {
      rule.matches.forEach((match, matchIndex) => {
        const ir: RouteIR = {
          id: `${namespace}/${name}/rule/${rule.index}/match/${matchIndex}`,
          route: { namespace, name },
          rule: rule.index,
          match: matchIndex,
          hostnames: [...hostnames],
          path: match.path,
          headers: match.headers,
          queryParams: match.queryParams,
          filters: rule.filters,
          action: rule.action,
          timeouts: rule.timeouts,
        };
        if (rule.name !== undefined) ir.ruleName = rule.name;
        if (match.method !== undefined) ir.method = match.method;
        ranked.push({ ir, created });
      });
    }
  }
  return sortByPrecedence(ranked);
}

/** Every cluster named by a backend or a mirror, keyed and ordered by name. */
function clustersFor(
  ctx: TranslateContext,
  gateways: GatewayIR[],
  tlsFor: UpstreamTlsLookup | undefined,
): Record<string, ClusterIR> {
  const names = new Set<string>();
  for (const route of gateways.flatMap((g) => g.ports.flatMap((p) => p.listeners.flatMap((l) => l.routes)))) {
    if (route.action.type === 'forward') {
      for (const backend of route.action.backends) if (backend.cluster !== null) names.add(backend.cluster);
    }
    for (const mirror of route.filters.mirrors ?? []) if (mirror.cluster !== null) names.add(mirror.cluster);
  }
  const clusters: Record<string, ClusterIR> = {};
  for (const name of [...names].sort(compareStrings)) {
    const cluster = buildCluster(ctx, name, tlsFor);
    if (cluster) clusters[name] = cluster;
  }
  return clusters;
}
