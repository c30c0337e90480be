// `gatehouse serve` drains on SIGTERM, end to end with the real CLI: 50 keep-alive clients keep
// sending (10 of them 2.5 s requests); after SIGTERM /readyz answers 503 while the listeners still
// accept for the drain delay; then every request the gateway accepted completes with 200 (the
// ones in flight with `Connection: close`), requests it never accepted fail only with connection
// errors, drain progress is logged, and the process exits 0 once the last connection closed.

import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { type EchoBackend, startEchoBackend } from '../fixtures/backend.js';
import { freePort } from '../fixtures/net.js';
import {
  admin,
  adminPortOf,
  type GatehouseProcess,
  type LogLine,
  startGatehouse,
  writeManifest,
} from './ops-cli.js';

const CLIENTS = 50;
const LONG_CLIENTS = 10;
const LONG_MS = 2500;

interface Outcome {
  long: boolean;
  startedAt: number;
  endedAt?: number;
  status?: number;
  connection?: string;
  error?: string;
}

function get(
  port: number,
  path: string,
  agent: Agent,
  requestId: string,
): Promise<{ status: number; connection?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, agent, headers: { 'x-request-id': requestId } },
      (res) => {
        res.resume();
        res.once('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
        res.once('error', reject);
      },
    );
    req.once('error', reject);
    req.end();
  });
}

/** Sends requests one after another on one keep-alive connection until a request fails. */
async function runClient(
  port: number,
  index: number,
  path: string,
  outcomes: Map<string, Outcome>,
): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (let n = 0; ; n++) {
      const id = `client${index}-req${n}`;
      const outcome: Outcome = { long: path.includes('long'), startedAt: performance.now() };
      outcomes.set(id, outcome);
      try {
        const answer = await get(port, path, agent, id);
        Object.assign(outcome, answer, { endedAt: performance.now() });
      } catch (err) {
        outcome.error = (err as NodeJS.ErrnoException).code ?? String(err);
        outcome.endedAt = performance.now();
        return;
      }
    }
  } finally {
    agent.destroy();
  }
}

describe('gatehouse serve: graceful drain on SIGTERM', () => {
  let backend: EchoBackend;
  let manifest: { file: string; dispose(): Promise<void> };
  let gatehouse: GatehouseProcess;
  let port: number;
  let adminPort: number;

  before(async () => {
    backend = await startEchoBackend('app');
    port = await freePort();
    manifest = await writeManifest(port, backend.port);
    gatehouse = startGatehouse([
      'serve',
      ...['-f', manifest.file, '--bind', '127.0.0.1', '--admin-address', '127.0.0.1:0'],
      ...['--drain-delay', '1s', '--drain-progress-interval', '200ms', '--access-log', 'stdout'],
      // One process: the timestamps compared below are its log lines. With workers, the primary's
      // "listeners closed" line comes one IPC hop before the workers actually retire.
      ...['--workers', '1'],
    ]);
    adminPort = await adminPortOf(gatehouse);
    await gatehouse.waitFor((l) => l.msg === 'configuration applied');
  });

  after(async () => {
    await gatehouse.stop();
    await backend.close();
    await manifest.dispose();
  });

  it('fails readiness at once, completes every accepted request, then exits 0', async () => {
    assert.equal((await admin(adminPort, '/readyz')).status, 200);
    let longSeen = 0;
    const longInFlight = new Promise<void>((resolve) => {
      backend.events.on('request', (r: { path: string }) => {
        if (r.path.includes('long') && ++longSeen === LONG_CLIENTS) resolve();
      });
    });
    const outcomes = new Map<string, Outcome>();
    const clients = Array.from({ length: CLIENTS }, (_, i) =>
      runClient(port, i, i < LONG_CLIENTS ? `/app/long?delay=${LONG_MS}` : '/app/short?delay=20', outcomes),
    );
    await longInFlight;

    gatehouse.child.kill('SIGTERM');
    await gatehouse.waitFor((l) => l.component === 'drain' && String(l.msg).startsWith('draining'));
    const drainStartedAt = performance.now();
    const readiness = await admin(adminPort, '/readyz');
    assert.deepEqual(readiness, { status: 503, body: 'not ready: draining\n' });
    assert.equal(
      gatehouse.lines.some((l) => l.msg === 'stopped accepting'),
      false,
      'readiness failed while the listeners still accepted',
    );
    await gatehouse.waitFor((l) => l.msg === 'stopped accepting');
    const listenersClosedAt = performance.now();

    const code = await gatehouse.exited;
    const exitedAt = performance.now();
    await Promise.all(clients);
    assert.equal(code, 0);

    const accessLog = new Map(
      gatehouse.lines.filter((l) => l.component === 'access').map((l) => [String(l.requestId), l]),
    );
    const seenByBackend = new Set(backend.requests.map((r) => String(r.headers['x-request-id'])));
    for (const [id, outcome] of outcomes) {
      if (outcome.error === undefined) {
        assert.equal(outcome.status, 200, id);
        assert.equal(accessLog.get(id)?.status, 200, `${id} in the access log`);
      } else {
        assert.match(outcome.error, /^(ECONNREFUSED|ECONNRESET|EPIPE)$/, id);
        assert.equal(accessLog.has(id), false, `${id} failed, so the gateway must not have accepted it`);
        assert.equal(seenByBackend.has(id), false, id);
      }
    }
    for (const [id, line] of accessLog) assert.equal(outcomes.get(id)?.status, line.status, id);

    const answered = [...outcomes.values()].filter((o) => o.status === 200);
    assert.ok(
      answered.some((o) => o.startedAt > drainStartedAt && o.startedAt < listenersClosedAt),
      'requests sent during the drain delay were served',
    );
    // Long requests in flight when the listeners closed: their answer (headers included) came later.
    const longAfterClose = answered.filter((o) => o.long && (o.endedAt ?? 0) > listenersClosedAt);
    assert.equal(
      longAfterClose.length,
      LONG_CLIENTS,
      'the long requests were in flight when listeners closed',
    );
    for (const o of longAfterClose) assert.equal(o.connection, 'close');
    const lastAnswer = Math.max(...answered.map((o) => o.endedAt ?? 0));
    assert.ok(exitedAt >= lastAnswer, 'the process exited after the last response');

    const progress = gatehouse.lines.filter((l: LogLine) => l.component === 'drain' && l.msg === 'draining');
    assert.ok(
      progress.some((l) => Number(l.inFlight) > 0 && Number(l.connections) > 0),
      'progress lines',
    );
    assert.ok(gatehouse.lines.some((l) => l.msg === 'drained: no connection left'));
  });
});
