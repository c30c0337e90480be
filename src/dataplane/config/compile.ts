// IR → compiled configuration for one apply: cluster targets (with their endpoints' pooled
// dispatchers), then per Gateway port a listener table whose listeners each hold a route index
// and, for HTTPS, a TLS identity. Pure except for what the registry and certificate store cache.
// Clusters are compiled once per distinct backend client certificate: a Gateway that presents
// one reaches TLS backends through its own connections.

import type { Logger } from 'pino';
import type { CertificateIR, ClusterIR, GatewayIR, IR, ListenerIR, PortIR } from '../../ir/types.js';
import { HostTable } from '../router/hostname.js';
import { RouteTable } from '../router/route-table.js';
import { ClusterTarget } from '../upstream/balancer.js';
import type { UpstreamRegistry } from '../upstream/registry.js';
import { upstreamTls } from '../upstream/tls.js';
import { type ClusterLookup, compileRoute } from './routes.js';
import type { CertificateStore } from './tls.js';
import type { CompiledListener, CompiledPort, RouteBehavior } from './types.js';

export interface CompileContext {
  readonly registry: UpstreamRegistry;
  readonly certificates: CertificateStore;
  readonly logger: Logger;
  /** Filled with the keys of every endpoint the new configuration uses. */
  readonly usedEndpoints: Set<string>;
  /** Filled with the cluster targets of the new configuration (for upstream pool stats). */
  readonly clusterTargets?: Map<string, ClusterTarget>;
}

export interface CompiledGateway {
  readonly ir: GatewayIR;
  readonly ports: readonly CompiledPort[];
}

export function compileGateways(ir: IR, ctx: CompileContext): CompiledGateway[] {
  const byClientCertificate = new Map<string, ClusterLookup>();
  return ir.gateways.map((gateway) => {
    const certificate = gateway.backendClientCertificate;
    const certKey = certificate ? `${certificate.certPem}\u0000${certificate.keyPem}` : '';
    let clusters = byClientCertificate.get(certKey);
    if (clusters === undefined) {
      clusters = compileClusters(ir.clusters, ctx, certificate);
      byClientCertificate.set(certKey, clusters);
    }
    const lookup = clusters;
    return { ir: gateway, ports: gateway.ports.map((port) => compilePort(gateway.key, port, lookup, ctx)) };
  });
}

function compileClusters(
  clusters: Record<string, ClusterIR>,
  ctx: CompileContext,
  clientCertificate: CertificateIR | undefined,
): ClusterLookup {
  const targets = new Map<string, ClusterTarget>();
  for (const [name, cluster] of Object.entries(clusters)) {
    const tls = cluster.tls ? upstreamTls(cluster.tls, clientCertificate) : undefined;
    // A TLS cluster that trusts nothing has no usable endpoint: 503, never plain text.
    const endpoints =
      tls?.trusted === false
        ? []
        : cluster.endpoints.map((e) => ctx.registry.endpoint(cluster.protocol, e, ctx.usedEndpoints, tls));
    const target = new ClusterTarget(name, cluster.protocol, endpoints, tls !== undefined);
    targets.set(name, target);
    if (!clientCertificate || !ctx.clusterTargets?.has(name)) ctx.clusterTargets?.set(name, target);
  }
  return targets;
}

function compilePort(
  gateway: string,
  port: PortIR,
  clusters: ClusterLookup,
  ctx: CompileContext,
): CompiledPort {
  const listeners = new HostTable<CompiledListener>();
  const compiled: CompiledListener[] = [];
  for (const listenerIr of port.listeners) {
    const listener = compileListener(gateway, port, listenerIr, clusters, ctx);
    if (listeners.add(listenerIr.hostname, listener)) compiled.push(listener);
    else
      ctx.logger.warn(
        { kind: 'Gateway', resource: gateway, listener: listenerIr.name },
        'listener hostname repeated on its port; ignored',
      );
  }
  // Clients without SNI get the catch-all listener's certificate, else the first one that loads.
  const defaultIdentity = listeners.any?.identity ?? compiled.find((l) => l.identity !== undefined)?.identity;
  return {
    gateway,
    port: port.port,
    protocol: port.protocol,
    scheme: port.protocol === 'HTTPS' ? 'https' : 'http',
    listeners,
    defaultIdentity,
    clientValidation: port.protocol === 'HTTPS' ? port.clientValidation?.mode : undefined,
  };
}

function compileListener(
  gateway: string,
  port: PortIR,
  listener: ListenerIR,
  clusters: ClusterLookup,
  ctx: CompileContext,
): CompiledListener {
  const routes = new RouteTable<RouteBehavior>();
  listener.routes.forEach((route, order) => {
    try {
      const { match, behavior } = compileRoute(route, order, clusters);
      routes.add(route.hostnames, match, behavior);
    } catch (err) {
      ctx.logger.error(
        {
          kind: 'HTTPRoute',
          resource: `${route.route.namespace}/${route.route.name}`,
          rule: route.rule,
          gateway,
          err: (err as Error).message,
        },
        'skipping a route that does not compile',
      );
    }
  });
  const identity =
    port.protocol === 'HTTPS'
      ? ctx.certificates.identity(
          `${gateway}/${listener.name}`,
          listener.certificates,
          port.clientValidation?.caCertificates,
        )
      : undefined;
  if (port.protocol === 'HTTPS' && identity === undefined) {
    ctx.logger.warn(
      { kind: 'Gateway', resource: gateway, listener: listener.name },
      'HTTPS listener has no usable certificate',
    );
  }
  return { name: listener.name, routes, identity };
}
