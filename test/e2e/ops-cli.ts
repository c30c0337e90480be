// Running the real `gatehouse` CLI (dist/src/cli/main.js) as a child process for end-to-end
// tests: its JSON log lines parsed as they arrive (waitFor resolves on a matching line, no
// polling), the admin port read from its log, a manifest for one Gateway in front of a local
// backend, and a helper to request the admin endpoint.

import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export type LogLine = Record<string, unknown> & { component?: string; msg?: string };

export interface GatehouseProcess {
  readonly child: ChildProcess;
  /** Every stdout line parsed so far (non-JSON lines as `{ raw }`). */
  readonly lines: LogLine[];
  readonly stderr: string[];
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  waitFor(predicate: (line: LogLine) => boolean): Promise<LogLine>;
  /** Kills the process if it still runs. */
  stop(): Promise<void>;
}

export function startGatehouse(args: string[]): GatehouseProcess {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: LogLine[] = [];
  const stderr: string[] = [];
  const events = new EventEmitter();
  createInterface({ input: child.stdout! }).on('line', (text) => {
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      line = { raw: text };
    }
    lines.push(line);
    events.emit('line', line);
  });
  createInterface({ input: child.stderr! }).on('line', (text) => stderr.push(text));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return {
    child,
    lines,
    stderr,
    exited,
    waitFor(predicate) {
      const found = lines.find(predicate);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const onLine = (line: LogLine) => {
          if (!predicate(line)) return;
          cleanup();
          resolve(line);
        };
        const onExit = () => {
          cleanup();
          reject(new Error(`gatehouse exited before the expected line; stderr: ${stderr.join('\n')}`));
        };
        const cleanup = () => {
          events.off('line', onLine);
          child.off('exit', onExit);
        };
        events.on('line', onLine);
        child.once('exit', onExit);
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** The admin port, from the `admin endpoint listening` line. */
export async function adminPortOf(gatehouse: GatehouseProcess): Promise<number> {
  const line = await gatehouse.waitFor((l) => l.msg === 'admin endpoint listening');
  return Number(String(line.address).split(':').pop());
}

export interface AdminReply {
  status: number;
  body: string;
}

export function admin(port: number, path: string, method = 'GET'): Promise<AdminReply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.once('error', reject);
    req.end();
  });
}

/** A temporary directory holding one manifest: a Gateway on `port` routing to `backendPort`. */
export async function writeManifest(
  port: number,
  backendPort: number,
): Promise<{ file: string; dispose(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-ops-'));
  const file = join(dir, 'gateway.yaml');
  await writeFile(file, manifest(port, backendPort));
  return { file, dispose: () => rm(dir, { recursive: true, force: true }) };
}

function manifest(port: number, backendPort: number): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: gatehouse }
spec: { controllerName: gatehouse.dev/gateway-controller }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: edge, namespace: default }
spec:
  gatewayClassName: gatehouse
  listeners:
    - { name: http, protocol: HTTP, port: ${port} }
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: app, namespace: default }
spec:
  parentRefs: [{ name: edge }]
  rules:
    - matches: [{ path: { type: PathPrefix, value: /app } }]
      backendRefs: [{ name: app, port: 80 }]
---
apiVersion: v1
kind: Service
metadata: { name: app, namespace: default }
spec:
  ports: [{ name: http, port: 80, targetPort: ${backendPort} }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: app-1
  namespace: default
  labels: { kubernetes.io/service-name: app }
addressType: IPv4
endpoints:
  - addresses: ["127.0.0.1"]
    conditions: { ready: true }
ports:
  - { name: http, port: ${backendPort}, protocol: TCP }
`;
}
