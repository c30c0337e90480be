// The admin routes every serving mode exposes: health, readiness (503 while syncing and from the
// start of a drain), Prometheus metrics, computed statuses, the configuration in force (private
// keys redacted), and POST /drain, which starts the same drain as SIGTERM.

import type { Registry } from 'prom-client';
import { type AdminHandler, sendJson, sendText } from '../admin/server.js';
import type { IR } from '../ir/types.js';
import type { Drain } from '../runtime/drain.js';
import type { Pipeline } from '../runtime/pipeline.js';

export interface AdminRouteOptions {
  /** False while a provider has not listed everything yet (Kubernetes mode). */
  synced?: () => boolean;
  drain?: Drain;
  metrics?: Registry;
}

export function adminRoutes(pipeline: Pipeline, options: AdminRouteOptions = {}): Map<string, AdminHandler> {
  const { synced = () => true, drain, metrics } = options;
  const routes = new Map<string, AdminHandler>([
    ['GET /healthz', (_req, res) => sendText(res, 200, 'ok\n')],
    [
      'GET /readyz',
      (_req, res) => {
        if (drain?.draining) return sendText(res, 503, 'not ready: draining\n');
        if (!synced()) return sendText(res, 503, 'not ready: resources not synced yet\n');
        if (!pipeline.state) return sendText(res, 503, 'not ready: no configuration applied yet\n');
        sendText(res, 200, 'ready\n');
      },
    ],
    ['GET /status', (_req, res) => sendJson(res, 200, { statuses: pipeline.state?.statuses ?? [] })],
    [
      'GET /config',
      (_req, res) => {
        const state = pipeline.state;
        sendJson(
          res,
          200,
          state ? { generation: state.generation, appliedAt: state.appliedAt, ir: redact(state.ir) } : null,
        );
      },
    ],
  ]);
  if (metrics !== undefined) {
    routes.set('GET /metrics', async (_req, res) => {
      const body = await metrics.metrics();
      res.writeHead(200, { 'content-type': metrics.contentType, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  }
  if (drain !== undefined) {
    routes.set('POST /drain', (_req, res) => {
      drain.start('POST /drain');
      sendText(res, 202, 'draining\n');
    });
  }
  return routes;
}

/** The IR with private keys replaced: /config is for reading routing, not for exporting secrets. */
export function redact(ir: IR): IR {
  return {
    ...ir,
    gateways: ir.gateways.map((g) => ({
      ...g,
      ...(g.backendClientCertificate
        ? { backendClientCertificate: { ...g.backendClientCertificate, keyPem: '[redacted]' } }
        : {}),
      ports: g.ports.map((p) => ({
        ...p,
        listeners: p.listeners.map((l) =>
          l.certificates
            ? { ...l, certificates: l.certificates.map((c) => ({ ...c, keyPem: '[redacted]' })) }
            : l,
        ),
      })),
    })),
  };
}
