// The data plane: applies IR generations atomically and owns the listener sockets and upstream
// pools. An apply compiles everything first (routes, TLS contexts, pools), then adjusts sockets
// only where the set of (address, port, protocol) changed, then switches every server to the new
// configuration in one synchronous step. Requests already routed keep the objects of the
// configuration they started on; dispatchers no longer referenced close once their requests end.
// Draining retires every listener and waits for the last connection; applies go on meanwhile
// (endpoints still change) but open no listener.

import type { Logger } from 'pino';
import type { IR } from '../ir/types.js';
import { componentLogger, silentLogger } from '../observability/logger.js';
import { AddressPool, chooseAddresses } from './addresses.js';
import { type CompiledGateway, compileGateways } from './config/compile.js';
import { CertificateStore } from './config/tls.js';
import type { CompiledPort } from './config/types.js';
import { type BoundServer, type HttpEngine, RETIRE_GRACE_MS } from './listener/bound-server.js';
import { PlainServer } from './listener/plain-server.js';
import { SecureServer } from './listener/secure-server.js';
import {
  type ApplyReport,
  type DataPlane,
  type DataPlaneObserver,
  type DataPlaneOptions,
  type DataPlaneStats,
  DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
  type GatewayBindReport,
  type UpstreamStats,
} from './types.js';
import type { ClusterTarget } from './upstream/balancer.js';
import { addPoolStats, UpstreamRegistry } from './upstream/registry.js';

export type DataPlaneRuntimeOptions = DataPlaneOptions & { logger?: Logger };

export function createDataPlane(options: DataPlaneRuntimeOptions): DataPlane {
  return new DataPlaneRuntime(options);
}

/** One listener socket the new configuration wants. */
interface Binding {
  readonly key: string;
  readonly gateway: string;
  readonly address: string;
  readonly port: number;
  readonly config: CompiledPort;
}

class DataPlaneRuntime implements DataPlane {
  private readonly logger: Logger;
  private readonly defaultBind: string;
  private readonly pool: AddressPool | undefined;
  private readonly httpEngine: HttpEngine;
  private readonly keepAliveTimeoutMs: number;
  private readonly reusePort: boolean;
  private readonly registry: UpstreamRegistry;
  private readonly certificates: CertificateStore;
  /** Open servers by `address|port`. */
  private readonly servers = new Map<string, BoundServer>();
  /** Retired servers whose connections are draining. */
  private readonly draining = new Set<BoundServer>();
  private readonly observer: DataPlaneObserver | undefined;
  /** The clusters of the configuration in force. */
  private clusters = new Map<string, ClusterTarget>();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private drainStarted = false;

  constructor(options: DataPlaneRuntimeOptions) {
    this.logger = componentLogger(options.logger ?? silentLogger(), 'dataplane');
    this.observer = options.observer && guardObserver(options.observer, this.logger);
    this.defaultBind = options.defaultBind || '0.0.0.0';
    this.pool = options.addressPool ? new AddressPool(options.addressPool) : undefined;
    this.httpEngine = options.httpEngine ?? 'fast';
    this.keepAliveTimeoutMs = options.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS;
    this.reusePort = options.reusePort ?? false;
    this.registry = new UpstreamRegistry(this.logger);
    this.certificates = new CertificateStore(this.logger);
  }

  /** Applies run one at a time, in call order. */
  apply(ir: IR, generation: number): Promise<ApplyReport> {
    const run = this.queue.then(() => this.applyNow(ir, generation));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async drain(): Promise<void> {
    this.drainStarted = true;
    await this.queue;
    for (const server of this.servers.values()) server.retire();
    const all = [...this.servers.values(), ...this.draining];
    this.logger.info({ listeners: all.length, connections: this.stats().connections }, 'stopped accepting');
    await Promise.all(all.map((server) => server.drained()));
  }

  stats(): DataPlaneStats {
    let connections = 0;
    let inFlight = 0;
    for (const server of this.servers.values()) {
      connections += server.connections;
      inFlight += server.inFlight;
    }
    for (const server of this.draining) {
      connections += server.connections;
      inFlight += server.inFlight;
    }
    return { draining: this.drainStarted, connections, inFlight, upstreams: this.upstreamStats() };
  }

  private upstreamStats(): UpstreamStats[] {
    const out: UpstreamStats[] = [];
    for (const [cluster, target] of this.clusters) {
      if (target.endpoints.length === 0) continue;
      const stats: UpstreamStats = { cluster, connections: 0, idle: 0, active: 0, queued: 0 };
      for (const endpoint of target.endpoints) addPoolStats(endpoint, stats);
      out.push(stats);
    }
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
    for (const server of [...this.servers.values(), ...this.draining]) server.destroy();
    this.servers.clear();
    this.draining.clear();
    await this.registry.destroyAll();
  }

  private async applyNow(ir: IR, generation: number): Promise<ApplyReport> {
    if (this.closed) throw new Error('data plane is closed');
    const usedEndpoints = new Set<string>();
    const clusterTargets = new Map<string, ClusterTarget>();
    this.certificates.begin();
    const gateways = compileGateways(ir, {
      registry: this.registry,
      certificates: this.certificates,
      logger: this.logger,
      usedEndpoints,
      clusterTargets,
    });
    this.certificates.commit();
    const reports: Record<string, GatewayBindReport> = {};
    const bindings = this.planBindings(gateways, reports);
    if (!this.drainStarted) {
      this.retireUnwanted(bindings);
      await this.openNew(bindings, reports);
    }
    for (const binding of bindings.values()) this.servers.get(binding.key)?.update(binding.config);
    this.clusters = clusterTargets;
    this.registry.retainOnly(usedEndpoints);
    this.logger.debug({ generation, servers: this.servers.size, upstreams: this.registry.size }, 'applied');
    return { generation, gateways: reports };
  }

  /** Addresses per Gateway and the sockets they need; a socket claimed twice is a port error. */
  private planBindings(gateways: CompiledGateway[], reports: Record<string, GatewayBindReport>) {
    this.pool?.retain(new Set(gateways.filter((g) => g.ir.addresses.length === 0).map((g) => g.ir.key)));
    const bindings = new Map<string, Binding>();
    for (const gateway of gateways) {
      const key = gateway.ir.key;
      const choice = chooseAddresses(gateway.ir, this.defaultBind, this.pool);
      const report: GatewayBindReport = { addresses: choice.addresses, portErrors: [] };
      reports[key] = report;
      if (choice.error !== undefined) {
        for (const port of gateway.ports) report.portErrors.push({ port: port.port, message: choice.error });
      }
      for (const address of choice.addresses) {
        for (const config of gateway.ports) {
          const socketKey = `${address}|${config.port}`;
          const owner = bindings.get(socketKey);
          if (owner === undefined) {
            bindings.set(socketKey, { key: socketKey, gateway: key, address, port: config.port, config });
          } else {
            const message = `EADDRINUSE: ${address}:${config.port} is already used by Gateway ${owner.gateway}`;
            report.portErrors.push({ port: config.port, message });
          }
        }
      }
    }
    return bindings;
  }

  /** Retires servers the new configuration does not want, or wants with another protocol. */
  private retireUnwanted(bindings: ReadonlyMap<string, Binding>): void {
    for (const [key, server] of this.servers) {
      if (bindings.get(key)?.config.protocol === server.protocol) continue;
      this.servers.delete(key);
      this.retire(server);
    }
  }

  private retire(server: BoundServer): void {
    const { address, port, protocol } = server;
    this.logger.info(
      { kind: 'Gateway', resource: server.gateway, address, port, protocol },
      'stopped listening',
    );
    server.retire();
    this.draining.add(server);
    setTimeout(() => {
      this.draining.delete(server);
      server.destroy();
    }, RETIRE_GRACE_MS).unref();
  }

  /** Binds the sockets that are not open yet; failures become port errors of their Gateway. */
  private async openNew(bindings: ReadonlyMap<string, Binding>, reports: Record<string, GatewayBindReport>) {
    const opening: Promise<void>[] = [];
    for (const binding of bindings.values()) {
      if (this.servers.has(binding.key)) continue;
      const { address, port, config } = binding;
      const server =
        config.protocol === 'HTTPS'
          ? new SecureServer(address, port, config, this.keepAliveTimeoutMs, this.observer)
          : new PlainServer(address, port, config, this.keepAliveTimeoutMs, this.observer, this.httpEngine);
      opening.push(
        server.listen(this.reusePort).then(
          () => {
            this.servers.set(binding.key, server);
            this.logger.info(
              {
                kind: 'Gateway',
                resource: binding.gateway,
                gateway: binding.gateway,
                address,
                port,
                protocol: config.protocol,
              },
              'listening',
            );
          },
          (err: NodeJS.ErrnoException) => {
            server.destroy();
            const message = err.code ? `${err.code}: cannot bind ${address}:${port}` : err.message;
            reports[binding.gateway]?.portErrors.push({ port, message });
            this.logger.warn(
              {
                kind: 'Gateway',
                resource: binding.gateway,
                gateway: binding.gateway,
                address,
                port,
                code: err.code,
              },
              'cannot bind port',
            );
          },
        ),
      );
    }
    await Promise.all(opening);
  }
}

/** The observer runs inside socket and response events: a failure there must not crash the process. */
function guardObserver(observer: DataPlaneObserver, logger: Logger): DataPlaneObserver {
  let reported = false;
  const report = (err: unknown) => {
    if (reported) return;
    reported = true;
    logger.error({ err }, 'data plane observer failed (reported once)');
  };
  return {
    onExchange(record) {
      try {
        observer.onExchange(record);
      } catch (err) {
        report(err);
      }
    },
    onConnection(event, connection) {
      try {
        observer.onConnection(event, connection);
      } catch (err) {
        report(err);
      }
    },
  };
}
