// Request mirroring end to end: every mirror gets a copy (path, modified headers, body) while the
// main backend answers; a failing or stalled mirror never affects the main request; sampling
// follows numerator/denominator.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  type EchoBackend,
  patternBody,
  type RecordedRequest,
  sha256,
  startEchoBackend,
} from '../fixtures/backend.js';
import { startDataPlane, type TestDataPlane } from '../fixtures/dataplane.js';
import { buildIr, cluster, forwardTo, gateway, httpPort, listener, route } from '../fixtures/ir.js';
import { freePort, keepAliveClient, send } from '../fixtures/net.js';

/** Resolves with the first request `backend` receives whose path is `path`. */
function arrival(backend: EchoBackend, path: string): Promise<RecordedRequest> {
  return new Promise((resolve) => {
    const onRequest = (recorded: RecordedRequest) => {
      if (recorded.path !== path) return;
      backend.events.off('request', onRequest);
      resolve(recorded);
    };
    backend.events.on('request', onRequest);
  });
}

describe('data plane request mirrors', () => {
  const backends: Record<string, EchoBackend> = {};
  let plane: TestDataPlane;
  let port: number;
  const stalled = new Set<Socket>();
  const blackHole = createServer((socket) => {
    stalled.add(socket);
    socket.pause();
  });

  before(async () => {
    for (const name of ['v1', 'm1', 'm2', 'sampled']) backends[name] = await startEchoBackend(name);
    blackHole.listen(0, '127.0.0.1');
    await once(blackHole, 'listening');
    port = await freePort();
    plane = startDataPlane();
    const all = (cluster: string) => ({ cluster, numerator: 1, denominator: 1 });
    await plane.applyOk(
      buildIr(
        [
          gateway('gw', [
            httpPort(port, [
              listener('http', null, [
                route(forwardTo('v1'), {
                  prefix: '/mirror',
                  filters: {
                    requestHeaders: { set: [{ name: 'x-modified', value: 'yes' }], add: [], remove: [] },
                    mirrors: [all('m1'), all('m2')],
                  },
                }),
                route(forwardTo('v1'), { prefix: '/failing', filters: { mirrors: [all('refused')] } }),
                route(forwardTo('v1'), { prefix: '/stalled', filters: { mirrors: [all('black-hole')] } }),
                route(forwardTo('v1'), {
                  prefix: '/half',
                  filters: { mirrors: [{ cluster: 'sampled', numerator: 1, denominator: 2 }] },
                }),
                route(forwardTo('v1'), { prefix: '/marker', filters: { mirrors: [all('sampled')] } }),
              ]),
            ]),
          ]),
        ],
        [
          cluster('v1', [backends.v1!.endpoint]),
          cluster('m1', [backends.m1!.endpoint]),
          cluster('m2', [backends.m2!.endpoint]),
          cluster('sampled', [backends.sampled!.endpoint]),
          cluster('refused', [{ address: '127.0.0.1', port: await freePort() }]),
          cluster('black-hole', [
            { address: '127.0.0.1', port: (blackHole.address() as { port: number }).port },
          ]),
        ],
      ),
    );
  });

  after(async () => {
    await plane.close();
    for (const socket of stalled) socket.destroy();
    blackHole.close();
    await Promise.all(Object.values(backends).map((b) => b.close()));
  });

  it('copies the request, body and modified headers included, to every mirror', async () => {
    const body = patternBody(200_000);
    const path = '/mirror/copy?id=1';
    const copies = Promise.all([arrival(backends.m1!, path), arrival(backends.m2!, path)]);
    const main = (await send(port, { path, method: 'POST', body })).json();
    assert.equal(main.backend, 'v1');
    for (const copy of await copies) {
      assert.equal(copy.method, 'POST');
      assert.equal(copy.bodySha256, sha256(body));
      assert.equal(copy.headers['x-modified'], 'yes');
    }
  });

  it('answers the main request when the mirror fails', async () => {
    const reply = await send(port, { path: '/failing', method: 'POST', body: 'x' });
    assert.equal(reply.status, 200);
    assert.equal(reply.json().backend, 'v1');
  });

  it('streams a large body to the main backend while the mirror stalls', { timeout: 10_000 }, async () => {
    const body = patternBody(16 * 1024 * 1024);
    const echo = (await send(port, { path: '/stalled', method: 'POST', body })).json();
    assert.equal(echo.bodyBytes, body.length);
    assert.equal(echo.bodySha256, sha256(body));
  });

  it('mirrors about numerator/denominator of the requests', async () => {
    const client = keepAliveClient(port, 10);
    await Promise.all(
      Array.from({ length: 10 }, async (_, worker) => {
        for (let i = 0; i < 40; i++) await client.get(`/half?n=${worker}-${i}`);
      }),
    );
    // Mirrors are sent before their main request: by the time this marker arrives, the others have.
    const marker = arrival(backends.sampled!, '/marker');
    await client.get('/marker');
    await marker;
    await client.close();
    const mirrored = backends.sampled!.requests.filter((r) => r.path.startsWith('/half')).length;
    assert.ok(Math.abs(mirrored - 200) <= 50, `mirrored ${mirrored} of 400 at 1/2`);
  });
});
