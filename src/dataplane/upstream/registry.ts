// Upstream connections, one undici dispatcher per (protocol, endpoint): a keep-alive Pool for
// HTTP/1.1 clusters, an H2CClient (HTTP/2 with prior knowledge, one multiplexed session) for h2c
// clusters; HTTP/1.1 endpoints also get the fast engine's raw-socket pool. Both outlive applies
// while the new configuration still references them, and are closed gracefully (queued and
// in-flight requests finish) once it no longer does.

import type { Logger } from 'pino';
import { type Dispatcher, H2CClient, Pool } from 'undici';
import type { ClusterIR, EndpointIR } from '../../ir/types.js';
import { UpstreamPool } from './pool.js';

export interface Endpoint {
  readonly key: string;
  readonly address: string;
  readonly port: number;
  readonly dispatcher: Dispatcher;
  /** The fast engine's pool (HTTP/1.1 endpoints only). */
  readonly pool: UpstreamPool | undefined;
}

const CONNECT_TIMEOUT_MS = 10_000;

export class UpstreamRegistry {
  private readonly endpoints = new Map<string, Endpoint>();

  constructor(private readonly logger: Logger) {}

  /** The endpoint's dispatcher, created on first use; its key is added to `used`. */
  endpoint(protocol: ClusterIR['protocol'], ir: EndpointIR, used: Set<string>): Endpoint {
    const key = `${protocol}|${ir.address}|${ir.port}`;
    used.add(key);
    let endpoint = this.endpoints.get(key);
    if (endpoint === undefined) {
      endpoint = {
        key,
        address: ir.address,
        port: ir.port,
        dispatcher: createDispatcher(protocol, ir),
        pool: protocol === 'http1' ? new UpstreamPool(ir.address, ir.port) : undefined,
      };
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

function createDispatcher(protocol: ClusterIR['protocol'], ir: EndpointIR): Dispatcher {
  const origin = `http://${ir.address.includes(':') ? `[${ir.address}]` : ir.address}:${ir.port}`;
  const connect = { timeout: CONNECT_TIMEOUT_MS };
  return protocol === 'h2c' ? new H2CClient(origin, { connect }) : new Pool(origin, { connect });
}
