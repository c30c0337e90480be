// Failure answers end to end: 502 for refused or reset upstream connections, 503 for a cluster
// without endpoints, 504 for request and backend timeouts (and none when the timeout is 0), the
// upstream request aborted when the client leaves, and malformed traffic that never harms the
// process.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type EchoBackend, startEchoBackend } from '../fixtures/backend.js';
import { startDataPlane, type TestDataPlane } from '../fixtures/dataplane.js';
import { buildIr, cluster, forwardTo, gateway, httpPort, listener, route } from '../fixtures/ir.js';
import { freePort, send, sendH2 } from '../fixtures/net.js';

describe('data plane errors', () => {
  let backend: EchoBackend;
  let plane: TestDataPlane;
  let port: number;

  before(async () => {
    backend = await startEchoBackend('v1');
    port = await freePort();
    const closedPort = await freePort();
    plane = startDataPlane();
    const bad = { set: [{ name: 'x-bad', value: 'line\r\nbreak' }], add: [], remove: [] };
    await plane.applyOk(
      buildIr(
        [
          gateway('gw', [
            httpPort(port, [
              listener('http', null, [
                route(forwardTo('refused'), { prefix: '/refused' }),
                route(forwardTo('empty'), { prefix: '/empty' }),
                route(forwardTo('v1'), { prefix: '/request-timeout', timeouts: { requestMs: 150 } }),
                route(forwardTo('v1'), { prefix: '/backend-timeout', timeouts: { backendRequestMs: 150 } }),
                route(forwardTo('v1'), {
                  prefix: '/no-timeout',
                  timeouts: { requestMs: 0, backendRequestMs: 0 },
                }),
                route(forwardTo('v1'), { prefix: '/bad-request-header', filters: { requestHeaders: bad } }),
                route(forwardTo('v1'), { prefix: '/bad-response-header', filters: { responseHeaders: bad } }),
                route(
                  { type: 'redirect', statusCode: 302, hostname: 'evil\r\nx-injected: 1' },
                  { prefix: '/bad-redirect' },
                ),
                route(forwardTo('v1'), { prefix: '/' }),
              ]),
            ]),
          ]),
        ],
        [
          cluster('v1', [backend.endpoint]),
          cluster('refused', [{ address: '127.0.0.1', port: closedPort }]),
          cluster('empty', []),
        ],
      ),
    );
  });

  after(async () => {
    await plane.close();
    await backend.close();
  });

  it('answers 502 when the upstream refuses or resets the connection', async () => {
    const refused = await send(port, { path: '/refused' });
    assert.equal(refused.status, 502);
    assert.equal(refused.text(), '502 Bad Gateway\n');
    assert.equal((await send(port, { path: '/reset' })).status, 502);
  });

  it('answers 503 when the cluster has no endpoint', async () => {
    const reply = await send(port, { path: '/empty' });
    assert.equal(reply.status, 503);
    assert.equal(reply.headers['content-type'], 'text/plain');
  });

  it('answers 504 when the request or backend timeout passes', async () => {
    assert.equal((await send(port, { path: '/request-timeout?delay=1000' })).status, 504);
    assert.equal((await send(port, { path: '/backend-timeout?delay=1000' })).status, 504);
    assert.equal((await send(port, { path: '/backend-timeout?delay=10' })).status, 200);
    assert.equal((await send(port, { path: '/no-timeout?delay=300' })).status, 200);
  });

  it('aborts the upstream request when the client disconnects', async () => {
    const before = backend.aborted;
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write('GET /slow?delay=5000 HTTP/1.1\r\nhost: x\r\n\r\n');
    await once(backend.events, 'request');
    const aborted = once(backend.events, 'aborted');
    socket.destroy();
    await aborted;
    assert.equal(backend.aborted, before + 1);
  });

  it('answers an error, and keeps serving, when configured header values are invalid', async () => {
    assert.equal((await send(port, { path: '/bad-request-header' })).status, 502);
    assert.equal((await send(port, { path: '/bad-response-header' })).status, 502);
    const redirect = await send(port, { path: '/bad-redirect' });
    assert.equal(redirect.status, 500);
    assert.equal(redirect.headers['x-injected'], undefined);
    assert.equal((await send(port, { path: '/fine' })).json().backend, 'v1');
  });

  it('survives malformed and abruptly closed traffic', async () => {
    const garbage = [
      'NOT HTTP AT ALL\r\n\r\n',
      'GET / HTTP/1.1\r\nhost: x\r\nbad header\r\n\r\n',
      'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\nnot-a-frame-at-all-xxxxxxxxxxxxxxxx',
      'POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\nshort',
      'GET / HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\ncontent-length: 3\r\n\r\n',
    ];
    for (const bytes of garbage) {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => {});
      socket.resume();
      await once(socket, 'connect');
      socket.write(bytes);
      socket.end();
      await once(socket, 'close');
    }
    const halfway = connect(port, '127.0.0.1');
    await once(halfway, 'connect');
    halfway.write('PRI * HTTP/2');
    halfway.destroy();
    assert.equal((await send(port, { path: '/still-alive' })).json().backend, 'v1');
    assert.equal((await sendH2(port, { path: '/still-alive' })).json().backend, 'v1');
  });
});
