// HTTP/1.1 details on plain listeners, for both engines (the fast raw-socket one and node:http):
// HEAD, pipelining, Expect: 100-continue, chunked request bodies, HTTP/1.0 keep-alive rules,
// upstream responses framed by the connection's end, upstreams that close idle keep-alive
// connections, and malformed requests.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type EchoBackend, startEchoBackend } from '../fixtures/backend.js';
import { startDataPlane, type TestDataPlane } from '../fixtures/dataplane.js';
import { buildIr, cluster, forwardTo, gateway, httpPort, listener, route } from '../fixtures/ir.js';
import { freePort, send } from '../fixtures/net.js';

/** Opens a connection, writes `bytes`, and collects what comes back until `done` says so or it closes. */
async function exchange(port: number, bytes: string, done: (text: string) => boolean): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(bytes);
  return collect(socket, done).finally(() => socket.destroy());
}

function collect(socket: Socket, done: (text: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (done(text)) resolve(text);
    });
    socket.once('close', () => resolve(text));
    socket.once('error', reject);
  });
}

const count = (text: string, needle: string) => text.split(needle).length - 1;

for (const engine of ['fast', 'node'] as const) {
  describe(`data plane HTTP/1.1 (${engine} engine)`, () => {
    let backend: EchoBackend;
    let unframed: Server;
    let plane: TestDataPlane;
    let port: number;

    before(async () => {
      backend = await startEchoBackend('v1');
      // Answers without Content-Length or chunking: the body ends when the connection does.
      unframed = createServer((socket) => {
        socket.once('data', () =>
          socket.end('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nuntil-close'),
        );
      });
      unframed.listen(0, '127.0.0.1');
      await once(unframed, 'listening');
      port = await freePort();
      plane = startDataPlane({ httpEngine: engine });
      await plane.applyOk(
        buildIr(
          [
            gateway('gw', [
              httpPort(port, [
                listener('http', null, [
                  route(forwardTo('unframed'), { prefix: '/unframed' }),
                  route(forwardTo('v1'), { prefix: '/' }),
                ]),
              ]),
            ]),
          ],
          [
            cluster('v1', [backend.endpoint]),
            cluster('unframed', [
              { address: '127.0.0.1', port: (unframed.address() as { port: number }).port },
            ]),
          ],
        ),
      );
    });

    after(async () => {
      await plane.close();
      await backend.close();
      unframed.close();
    });

    it('answers HEAD without a body, and the connection stays usable', async () => {
      const text = await exchange(
        port,
        'HEAD /head HTTP/1.1\r\nhost: a\r\n\r\nGET /after-head HTTP/1.1\r\nhost: a\r\n\r\n',
        (t) => t.includes('/after-head'),
      );
      assert.equal(count(text, 'HTTP/1.1 200 OK'), 2);
      const [head, second] = text.split('HTTP/1.1 200 OK').slice(1);
      assert.ok(head?.endsWith('\r\n\r\n'), 'the HEAD answer is a head only');
      assert.match(second ?? '', /"path":"\/after-head"/);
    });

    it('answers pipelined requests in order', async () => {
      const requests = ['/p1', '/p2?delay=30', '/p3'].map((p) => `GET ${p} HTTP/1.1\r\nhost: a\r\n\r\n`);
      const text = await exchange(port, requests.join(''), (t) => count(t, '"backend"') === 3);
      const paths = [...text.matchAll(/"path":"([^"]+)"/g)].map((m) => m[1]);
      assert.deepEqual(paths, ['/p1', '/p2?delay=30', '/p3']);
    });

    it('answers Expect: 100-continue before the body is sent', async () => {
      const socket = connect(port, '127.0.0.1');
      await once(socket, 'connect');
      socket.write('POST /upload HTTP/1.1\r\nhost: a\r\ncontent-length: 5\r\nexpect: 100-continue\r\n\r\n');
      const interim = await collect(socket, (t) => t.includes('\r\n\r\n'));
      assert.match(interim, /^HTTP\/1\.1 100 Continue\r\n/);
      socket.removeAllListeners('data');
      socket.removeAllListeners('close');
      socket.write('hello');
      const final = await collect(socket, (t) => t.includes('"bodyBytes"'));
      socket.destroy();
      assert.match(final, /HTTP\/1\.1 200 OK/);
      assert.match(final, /"bodyBytes":5/);
      assert.doesNotMatch(final, /"expect"/);
    });

    it('streams a chunked request body upstream', async () => {
      const text = await exchange(
        port,
        'POST /chunked HTTP/1.1\r\nhost: a\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n',
        (t) => t.includes('"bodyBytes"'),
      );
      assert.match(text, /"bodyBytes":7/);
    });

    it('closes an HTTP/1.0 connection after its response unless it asks for keep-alive', async () => {
      const closing = await exchange(port, 'GET /ten HTTP/1.0\r\nhost: a\r\n\r\n', () => false);
      assert.match(closing, /^HTTP\/1\.1 200 OK\r\n/);
      assert.match(closing, /"path":"\/ten"/);
      // 204 needs no framing (an HTTP/1.0 client cannot read a chunked body: those close anyway).
      // node:http closes proxied HTTP/1.0 exchanges regardless; the fast engine keeps them.
      if (engine === 'node') return;
      const kept = await exchange(
        port,
        'GET /status/204 HTTP/1.0\r\nhost: a\r\nconnection: keep-alive\r\n\r\nGET /status/204 HTTP/1.0\r\nhost: a\r\n\r\n',
        () => false,
      );
      assert.match(kept, /connection: keep-alive/i);
      assert.equal(count(kept, 'HTTP/1.1 204 No Content'), 2);
    });

    it('relays a response that ends with its connection, chunked to HTTP/1.1 clients', async () => {
      const reply = await send(port, { path: '/unframed' });
      assert.equal(reply.status, 200);
      assert.equal(reply.text(), 'until-close');
      assert.equal(reply.headers['transfer-encoding'], 'chunked');
    });

    it('keeps serving after the upstream closes its idle keep-alive connections', async () => {
      assert.equal((await send(port, { path: '/before' })).status, 200);
      const closed = once(backend.events, 'connection-closed');
      await backend.closeIdle();
      await closed;
      assert.equal((await send(port, { path: '/after' })).json().path, '/after');
    });

    it('answers 400 to a request it cannot parse', async () => {
      const text = await exchange(port, 'GET / HTTP/1.1\r\nhost: a\r\nbad header\r\n\r\n', () => false);
      assert.match(text, /^HTTP\/1\.1 400 Bad Request\r\n/);
    });
  });
}
