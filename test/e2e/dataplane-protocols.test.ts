// Client protocols on an HTTP listener end to end: HTTP/2 with prior knowledge (h2c) next to
// HTTP/1.1 on the same port, and WebSocket upgrades tunnelled to the backend.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { type EchoBackend, patternBody, sha256, startEchoBackend } from '../fixtures/backend.js';
import { startDataPlane, type TestDataPlane } from '../fixtures/dataplane.js';
import { buildIr, cluster, forwardTo, gateway, httpPort, listener, route } from '../fixtures/ir.js';
import { freePort, send, sendH2 } from '../fixtures/net.js';

async function exchange(url: string, message: string, host?: string): Promise<string> {
  const ws = new WebSocket(url, host === undefined ? {} : { headers: { host } });
  await once(ws, 'open');
  ws.send(message);
  const [data] = await once(ws, 'message');
  ws.close();
  await once(ws, 'close');
  return String(data);
}

describe('data plane client protocols', () => {
  let v1: EchoBackend;
  let h2: EchoBackend;
  let plane: TestDataPlane;
  let port: number;

  before(async () => {
    v1 = await startEchoBackend('v1');
    h2 = await startEchoBackend('h2', { h2c: true });
    port = await freePort();
    plane = startDataPlane();
    await plane.applyOk(
      buildIr(
        [
          gateway('gw', [
            httpPort(port, [
              listener('http', null, [
                route(forwardTo('h2'), { prefix: '/to-h2c', hostnames: ['app.test'] }),
                route(forwardTo('v1'), {
                  prefix: '/ws',
                  hostnames: ['ws.test'],
                  filters: {
                    requestHeaders: { set: [{ name: 'x-ws', value: 'routed' }], add: [], remove: [] },
                  },
                }),
                route(forwardTo('v1'), { prefix: '/', hostnames: ['app.test'] }),
              ]),
            ]),
          ]),
        ],
        [cluster('v1', [v1.endpoint]), cluster('h2', [h2.endpoint], 'h2c')],
      ),
    );
  });

  after(async () => {
    await plane.close();
    await v1.close();
    await h2.close();
  });

  it('serves HTTP/1.1 and h2c (prior knowledge) on the same port', async () => {
    const h1 = await send(port, { path: '/a', host: 'app.test' });
    assert.equal(h1.json().backend, 'v1');
    const viaH2 = await sendH2(port, { path: '/b?x=1', authority: 'app.test' });
    assert.equal(viaH2.status, 200);
    const echo = viaH2.json();
    assert.equal(echo.path, '/b?x=1');
    assert.equal(echo.host, 'app.test');
    assert.equal(echo.headers['x-forwarded-proto'], 'http');
  });

  it('streams bodies over h2c in and h2c out', async () => {
    const body = patternBody(3 * 1024 * 1024);
    const echo = (
      await sendH2(port, { path: '/to-h2c/up', method: 'POST', authority: 'app.test', body })
    ).json();
    assert.equal(echo.backend, 'h2');
    assert.equal(echo.proto, 'HTTP/2.0');
    assert.equal(echo.bodySha256, sha256(body));
    const down = await sendH2(port, { path: '/to-h2c/down?size=4000000', authority: 'app.test' });
    assert.equal(sha256(down.body), sha256(patternBody(4_000_000)));
  });

  it('tunnels WebSocket upgrades after routing and request filters', async () => {
    assert.equal(await exchange(`ws://127.0.0.1:${port}/ws`, 'hello', 'ws.test'), 'v1:hello');
    assert.equal(await exchange(`ws://127.0.0.1:${port}/ws/again?q=1`, 'again', 'ws.test'), 'v1:again');
    const [first, second] = v1.upgrades;
    assert.equal(first?.headers['x-ws'], 'routed');
    assert.equal(first?.headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(first?.headers.host, 'ws.test');
    assert.equal(second?.path, '/ws/again?q=1');
  });

  it('ignores an h2c upgrade and answers it as HTTP/1.1', async () => {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString();
    });
    socket.write(
      'GET /a HTTP/1.1\r\nhost: app.test\r\nconnection: Upgrade, HTTP2-Settings\r\n' +
        'upgrade: h2c\r\nhttp2-settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n',
    );
    await once(socket, 'close');
    assert.match(received, /^HTTP\/1\.1 200 OK\r\n/);
    const echo = JSON.parse(received.slice(received.indexOf('{'), received.lastIndexOf('}') + 1));
    assert.equal(echo.backend, 'v1');
    assert.equal(echo.headers.upgrade, undefined);
    assert.equal(echo.headers['http2-settings'], undefined);
  });

  it('answers an upgrade that matches no route with 404', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { host: 'nowhere.test' } });
    ws.on('error', () => {});
    const [request, response] = await once(ws, 'unexpected-response');
    assert.equal(response.statusCode, 404);
    request.destroy();
    ws.terminate();
  });
});
