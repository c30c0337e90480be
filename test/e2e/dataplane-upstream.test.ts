// Upstream behaviour end to end: weighted backends, endpoint round-robin, streamed bodies in both
// directions (never buffered whole), hop-by-hop and X-Forwarded-* headers, h2c clusters, and
// connection pools kept across applies and closed once no longer referenced.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { type EchoBackend, patternBody, sha256, startEchoBackend } from '../fixtures/backend.js';
import { startDataPlane, type TestDataPlane } from '../fixtures/dataplane.js';
import { buildIr, cluster, forwardTo, gateway, httpPort, listener, route } from '../fixtures/ir.js';
import { freePort, keepAliveClient, send } from '../fixtures/net.js';

describe('data plane upstreams', () => {
  const backends: Record<string, EchoBackend> = {};
  let plane: TestDataPlane;
  let port: number;

  const config = (extraRoutes: ReturnType<typeof route>[] = []) =>
    buildIr(
      [
        gateway('gw', [
          httpPort(port, [
            listener('http', null, [
              ...extraRoutes,
              route(
                forwardTo(
                  { weight: 70, cluster: 'v1' },
                  { weight: 30, cluster: 'v2' },
                  { weight: 0, cluster: 'v3' },
                ),
                { prefix: '/weights' },
              ),
              route(forwardTo('trio'), { prefix: '/round-robin' }),
              route(forwardTo('h2c'), { prefix: '/h2c' }),
              route(forwardTo('v1'), { prefix: '/' }),
            ]),
          ]),
        ]),
      ],
      [
        cluster('v1', [backends.v1!.endpoint]),
        cluster('v2', [backends.v2!.endpoint]),
        cluster('v3', [backends.v3!.endpoint]),
        cluster('trio', [backends.r1!.endpoint, backends.r2!.endpoint, backends.r3!.endpoint]),
        cluster('h2c', [backends.h2!.endpoint], 'h2c'),
      ],
    );

  before(async () => {
    for (const name of ['v1', 'v2', 'v3', 'r1', 'r2', 'r3']) backends[name] = await startEchoBackend(name);
    backends.h2 = await startEchoBackend('h2', { h2c: true });
    port = await freePort();
    plane = startDataPlane();
    await plane.applyOk(config());
  });

  after(async () => {
    await plane.close();
    await Promise.all(Object.values(backends).map((b) => b.close()));
  });

  it('splits traffic by weight (70/30/0 over 1000 requests)', async () => {
    const client = keepAliveClient(port, 20);
    const counts: Record<string, number> = {};
    const batch = async () => {
      for (let i = 0; i < 50; i++) {
        const name = (await client.get('/weights')).json().backend;
        counts[name] = (counts[name] ?? 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: 20 }, batch));
    await client.close();
    assert.equal((counts.v1 ?? 0) + (counts.v2 ?? 0), 1000);
    assert.equal(counts.v3, undefined);
    assert.ok(Math.abs((counts.v1 ?? 0) / 1000 - 0.7) < 0.05, `v1 share ${counts.v1}`);
  });

  it('takes the endpoints of a cluster in turn', async () => {
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) seen.push((await send(port, { path: '/round-robin' })).json().backend);
    assert.deepEqual(seen.slice(3), seen.slice(0, 3));
    assert.deepEqual([...seen.slice(0, 3)].sort(), ['r1', 'r2', 'r3']);
  });

  it('streams multi-megabyte bodies both ways intact', async () => {
    const upload = patternBody(6 * 1024 * 1024);
    const echo = (await send(port, { path: '/upload', method: 'POST', body: upload })).json();
    assert.equal(echo.bodyBytes, upload.length);
    assert.equal(echo.bodySha256, sha256(upload));
    const download = await send(port, { path: '/download?size=7000000' });
    assert.equal(download.body.length, 7_000_000);
    assert.equal(sha256(download.body), sha256(patternBody(7_000_000)));
  });

  it('does not buffer: each side sees the first part before the other sends the rest', {
    timeout: 10_000,
  }, async () => {
    const half = Buffer.alloc(256 * 1024, 1);
    const stepper = createServer((req: IncomingMessage, res: ServerResponse) => {
      let received = 0;
      req.on('data', (chunk: Buffer) => {
        received += chunk.length;
        // The client only sends its second half once the first part came back.
        if (received === half.length) res.write(half);
      });
      req.on('end', () => res.end(`received ${received}`));
    });
    stepper.listen(0, '127.0.0.1');
    await once(stepper, 'listening');
    const stepperPort = (stepper.address() as { port: number }).port;
    const clusters = [
      ...Object.values(config().clusters),
      cluster('stepper', [{ address: '127.0.0.1', port: stepperPort }]),
    ];
    await plane.applyOk(
      buildIr(config([route(forwardTo('stepper'), { prefix: '/stepper' })]).gateways, clusters),
    );
    const text = await new Promise<string>((resolve, reject) => {
      const req = request({
        port,
        path: '/stepper',
        method: 'POST',
        agent: false,
        headers: { 'transfer-encoding': 'chunked' },
      });
      req.once('error', reject);
      req.write(half);
      req.once('response', (res) => {
        let got = 0;
        let tail = '';
        res.on('data', (chunk: Buffer) => {
          if (got < half.length) {
            got += chunk.length;
            if (got >= half.length) req.end(half);
          } else {
            tail += chunk.toString();
          }
        });
        res.once('end', () => resolve(tail));
      });
    });
    assert.equal(text, `received ${2 * half.length}`);
    stepper.closeAllConnections();
    stepper.close();
    await plane.applyOk(config());
  });

  it('removes hop-by-hop headers both ways and sets X-Forwarded-*', async () => {
    const reply = await send(port, {
      path: '/hop',
      host: 'hop.test:81',
      headers: {
        connection: 'keep-alive, x-drop-me',
        'x-drop-me': '1',
        'keep-alive': 'timeout=5',
        'proxy-connection': 'keep-alive',
        te: 'trailers',
        upgrade: 'something',
        'x-forwarded-for': '10.0.0.1',
        'x-echo-set-header': 'Connection:x-hop,X-Hop:1,Keep-Alive:timeout=9,X-Kept:yes',
      },
    });
    const seen = reply.json().headers;
    for (const name of ['x-drop-me', 'keep-alive', 'proxy-connection', 'te', 'upgrade']) {
      assert.equal(seen[name], undefined, name);
    }
    assert.equal(seen['x-forwarded-for'], '10.0.0.1, 127.0.0.1');
    assert.equal(seen['x-forwarded-proto'], 'http');
    assert.equal(seen['x-forwarded-host'], 'hop.test:81');
    assert.equal(reply.headers['x-hop'], undefined);
    assert.notEqual(reply.headers['keep-alive'], 'timeout=9');
    assert.equal(reply.headers['x-kept'], 'yes');
  });

  it('speaks h2c to h2c clusters, bodies included', async () => {
    const upload = patternBody(2 * 1024 * 1024);
    const echo = (
      await send(port, { path: '/h2c/x?y=1', method: 'POST', body: upload, host: 'h2.test' })
    ).json();
    assert.equal(echo.backend, 'h2');
    assert.equal(echo.proto, 'HTTP/2.0');
    assert.equal(echo.path, '/h2c/x?y=1');
    assert.equal(echo.host, 'h2.test');
    assert.equal(echo.bodySha256, sha256(upload));
  });

  it('keeps pools across applies and closes them once unreferenced, after in-flight requests', async () => {
    const solo = await startEchoBackend('solo');
    const withSolo = (prefix: string) =>
      buildIr(config([route(forwardTo('solo'), { prefix })]).gateways, [
        ...Object.values(config().clusters),
        cluster('solo', [solo.endpoint]),
      ]);
    await plane.applyOk(withSolo('/solo'));
    assert.equal((await send(port, { path: '/solo' })).json().backend, 'solo');
    await plane.applyOk(withSolo('/solo-renamed'));
    assert.equal((await send(port, { path: '/solo-renamed' })).json().backend, 'solo');
    assert.equal(solo.connections, 1, 'the keep-alive connection survived the apply');

    const slow = send(port, { path: '/solo-renamed?delay=300' });
    await once(solo.events, 'request');
    const closed = once(solo.events, 'connection-closed');
    await plane.applyOk(config());
    assert.equal((await slow).json().backend, 'solo');
    await closed;
    assert.equal((await send(port, { path: '/solo-renamed' })).json().backend, 'v1');
    await solo.close();
  });
});
