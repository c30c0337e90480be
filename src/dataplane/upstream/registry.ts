// Upstream connections, one undici dispatcher per (protocol, endpoint): a keep-alive Pool for
// HTTP/1.1 clusters, an H2CClient (HTTP/2 with prior knowledge, one multiplexed session) for h2c
// clusters; HTTP/1.1 endpoints also get the fast engine's raw-socket pool, except TLS ones
// (BackendTLSPolicy), which only have an HTTPS Pool with their own connector. Both outlive applies
// while the new configuration still references them, and are closed gracefully (queued and
// in-flight requests finish) once it no longer does. `poolStats()` reads the pools' counters
// (connections, idle, active and queued requests).

import type { Logger } from 'pino';
import { type Client, H2CClient, Pool } from 'undici';
import type { ClusterIR, EndpointIR } from '../../ir/types.js';
import { UpstreamPool } from './pool.js';
import type { UpstreamTls } from './tls.js';

export interface Endpoint {
  readonly key: string;
  readonly address: string;
  readonly port: number;
  /** `address:port` (IPv6 in brackets), as exchange records report it. */
  readonly label: string;
  readonly dispatcher: Pool | H2CClient;
  /** The fast engine's pool (plain HTTP/1.1 endpoints only). */
  readonly pool: UpstreamPool | undefined;
  /** TLS endpoints: the SNI every request must carry (undici would take it from Host). */
  readonly serverName?: string;
}

export interface PoolStats {
  connections: number;
  idle: number;
  active: number;
  queued: number;
}

const CONNECT_TIMEOUT_MS = 10_000;

export class UpstreamRegistry {
  private readonly endpoints = new Map<string, Endpoint>();

  constructor(private readonly logger: Logger) {}

  /** The endpoint's dispatcher, created on first use; its key is added to `used`. */
  endpoint(protocol: ClusterIR['protocol'], ir: EndpointIR, used: Set<string>, tls?: UpstreamTls): Endpoint {
    const key = `${protocol}|${ir.address}|${ir.port}${tls ? `|tls:${tls.key}` : ''}`;
    used.add(key);
    let endpoint = this.endpoints.get(key);
    if (endpoint === undefined) {
      const label = `${ir.address.includes(':') ? `[${ir.address}]` : ir.address}:${ir.port}`;
      const base = { key, address: ir.address, port: ir.port, label };
      if (tls) {
        const dispatcher = new Pool(`https://${label}`, { connect: tls.connect });
        endpoint = { ...base, dispatcher, pool: undefined, serverName: tls.serverName };
      } else {
        const dispatcher = createDispatcher(protocol, label);
        const pool = protocol === 'http1' ? new UpstreamPool(ir.address, ir.port) : undefined;
        endpoint = { ...base, dispatcher, pool };
      }
      this.endpoints.set(key, endpoint);
    }
    return endpoint;
  }

  /** Closes, after their in-flight requests, the dispatchers whose key is not in `used`. */
  retainOnly(used: ReadonlySet<string>): void {
    for (const [key, endpoint] of this.endpoints) {
      if (used.has(key)) continue;
      this.endpoints.delete(key);
      endpoint.pool?.close();
      endpoint.dispatcher.close().catch((err: unknown) => {
        this.logger.debug({ err, endpoint: key }, 'closing an upstream pool failed');
      });
    }
  }

  get size(): number {
    return this.endpoints.size;
  }

  /** Destroys every dispatcher now (in-flight requests fail). */
  async destroyAll(): Promise<void> {
    const all = [...this.endpoints.values()];
    this.endpoints.clear();
    for (const endpoint of all) endpoint.pool?.destroy();
    await Promise.all(all.map((e) => e.dispatcher.destroy().catch(() => undefined)));
  }
}

/** Adds the endpoint's counters to `into`. */
export function addPoolStats(endpoint: Endpoint, into: PoolStats): void {
  const pool = endpoint.pool;
  if (pool !== undefined) {
    into.connections += pool.openCount;
    into.idle += pool.idleCount;
    into.active += pool.openCount - pool.idleCount;
    into.queued += pool.waitingCount;
  }
  const dispatcher = endpoint.dispatcher;
  if (dispatcher instanceof Pool) {
    const stats = dispatcher.stats;
    into.connections += stats.connected;
    into.idle += stats.free;
    into.active += stats.running;
    into.queued += stats.pending + stats.queued;
  } else {
    // H2CClient is an undici Client at runtime; its type declaration omits `stats`.
    const stats = (dispatcher as unknown as Client).stats;
    into.connections += stats.connected ? 1 : 0;
    into.active += stats.running;
    into.queued += stats.pending;
  }
}

function createDispatcher(protocol: ClusterIR['protocol'], hostPort: string): Pool | H2CClient {
  const origin = `http://${hostPort}`;
  const connect = { timeout: CONNECT_TIMEOUT_MS };
  return protocol === 'h2c' ? new H2CClient(origin, { connect }) : new Pool(origin, { connect });
}
