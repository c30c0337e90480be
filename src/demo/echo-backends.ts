// Demo backends for standalone mode: a Service annotated `gatehouse.dev/demo-backend: echo` is
// served by a built-in echo server on each address:port of its EndpointSlices, so the quickstart
// runs with one command and no other software. File mode only; never used in a cluster.

import { createServer, type Server } from 'node:http';
import type { Logger } from '../observability/logger.js';
import type { ResourceSnapshot } from '../resources/kinds.js';

export const DEMO_ANNOTATION = 'gatehouse.dev/demo-backend';

interface Endpoint {
  service: string;
  address: string;
  port: number;
}

export class DemoBackends {
  #servers = new Map<string, Server>();
  #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Starts servers for newly annotated endpoints and stops the ones no longer wanted. */
  async reconcile(snapshot: ResourceSnapshot): Promise<void> {
    const wanted = new Map(demoEndpoints(snapshot).map((e) => [`${e.address}:${e.port}`, e]));
    for (const [key, server] of this.#servers) {
      if (!wanted.has(key)) {
        this.#servers.delete(key);
        server.close();
      }
    }
    for (const [key, endpoint] of wanted) {
      if (!this.#servers.has(key)) await this.#start(key, endpoint);
    }
  }

  async close(): Promise<void> {
    const servers = [...this.#servers.values()];
    this.#servers.clear();
    await Promise.all(
      servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections();
          }),
      ),
    );
  }

  async #start(key: string, endpoint: Endpoint): Promise<void> {
    const server = createEchoServer(endpoint.service);
    this.#servers.set(key, server);
    await new Promise<void>((resolve) => {
      server.once('error', (err) => {
        this.#logger.error(
          { err, resource: endpoint.service, kind: 'Service' },
          `demo backend ${key} failed to start`,
        );
        this.#servers.delete(key);
        resolve();
      });
      server.listen(endpoint.port, endpoint.address, () => {
        this.#logger.info(
          { resource: endpoint.service, kind: 'Service' },
          `demo echo backend listening on ${key}`,
        );
        resolve();
      });
    });
  }
}

function demoEndpoints(snapshot: ResourceSnapshot): Endpoint[] {
  const out: Endpoint[] = [];
  for (const svc of snapshot.services) {
    if (svc.metadata.annotations?.[DEMO_ANNOTATION] !== 'echo') continue;
    const ns = svc.metadata.namespace ?? 'default';
    for (const slice of snapshot.endpointSlices) {
      if (slice.metadata.namespace !== ns) continue;
      if (slice.metadata.labels?.['kubernetes.io/service-name'] !== svc.metadata.name) continue;
      for (const ep of slice.endpoints ?? []) {
        for (const address of ep.addresses) {
          for (const p of slice.ports ?? []) {
            if (p.port) out.push({ service: `${ns}/${svc.metadata.name}`, address, port: p.port });
          }
        }
      }
    }
  }
  return out;
}

/** Answers every request with a JSON description of what it received. */
export function createEchoServer(name: string): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.stringify(
        {
          backend: name,
          method: req.method,
          path: req.url,
          host: req.headers.host,
          headers: req.headers,
          bodyBytes: Buffer.concat(chunks).length,
        },
        null,
        2,
      );
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body) + 1,
      });
      res.end(`${body}\n`);
    });
  });
}
