// The admin routes every serving mode exposes: health, readiness, computed statuses, and the
// configuration in force (private keys redacted).

import { type AdminHandler, sendJson, sendText } from '../admin/server.js';
import type { IR } from '../ir/types.js';
import type { Pipeline } from '../runtime/pipeline.js';

/** `synced` is false while a provider has not listed everything yet (Kubernetes mode). */
export function adminRoutes(
  pipeline: Pipeline,
  synced: () => boolean = () => true,
): Map<string, AdminHandler> {
  return new Map<string, AdminHandler>([
    ['GET /healthz', (_req, res) => sendText(res, 200, 'ok\n')],
    [
      'GET /readyz',
      (_req, res) => {
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
}

/** The IR with private keys replaced: /config is for reading routing, not for exporting secrets. */
export function redact(ir: IR): IR {
  return {
    ...ir,
    gateways: ir.gateways.map((g) => ({
      ...g,
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
