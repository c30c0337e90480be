// The admin endpoint: health, readiness, computed statuses, the configuration in force.
// Binds 127.0.0.1 unless told otherwise; binding a non-loopback address needs an explicit opt-in
// because /config and /status describe the whole routing table.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { componentLogger, type Logger } from '../observability/logger.js';

export type AdminHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface AdminOptions {
  host: string;
  port: number;
  logger: Logger;
  /** Routes keyed by `METHOD path`, e.g. `GET /readyz`. */
  routes: Map<string, AdminHandler>;
}

export interface AdminServer {
  readonly port: number;
  close(): Promise<void>;
}

export function parseAdminAddress(value: string): { host: string; port: number } {
  const idx = value.lastIndexOf(':');
  const host = (idx >= 0 ? value.slice(0, idx) : value).replace(/^\[|\]$/g, '') || '127.0.0.1';
  const port = Number(idx >= 0 ? value.slice(idx + 1) : '9901');
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`invalid admin port in "${value}"`);
  if (host !== 'localhost' && isIP(host) === 0) throw new Error(`invalid admin host in "${value}"`);
  return { host, port };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

export async function startAdminServer(options: AdminOptions): Promise<AdminServer> {
  const logger = componentLogger(options.logger, 'admin');
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const handler = options.routes.get(`${req.method} ${path}`);
    if (!handler) {
      const known = [...options.routes.keys()].some((k) => k.endsWith(` ${path}`));
      sendText(res, known ? 405 : 404, known ? 'method not allowed\n' : 'not found\n');
      return;
    }
    Promise.resolve(handler(req, res)).catch((err: unknown) => {
      logger.error({ err, path }, 'admin handler failed');
      if (!res.headersSent) sendText(res, 500, 'internal error\n');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  logger.info({ address: `${options.host}:${port}` }, 'admin endpoint listening');
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function sendText(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = `${JSON.stringify(value, null, 2)}\n`;
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
