/**
 * The echo server's `/ws` endpoint with the `ws` client: text and binary messages come back
 * unchanged (as the HTTPRouteBackendProtocolWebSocket test sends them), a handshake without Origin
 * is refused like x/net/websocket refuses it, a plain GET is not a handshake, Upgrade requests to
 * other paths are ordinary echoes, and `wss://` works on the HTTPS port.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { type EchoServer, startEcho } from './server.js';
import { fetchOnce, rawExchange } from './test-client.js';
import { makeTestPki, type TestPki } from './test-pki.js';

async function openSocket(url: string, options: WebSocket.ClientOptions): Promise<WebSocket> {
  const ws = new WebSocket(url, options);
  await once(ws, 'open');
  return ws;
}

async function roundTrip(ws: WebSocket, data: string | Buffer): Promise<{ data: Buffer; isBinary: boolean }> {
  const reply = once(ws, 'message');
  ws.send(data);
  const [received, isBinary] = (await reply) as [Buffer, boolean];
  return { data: received, isBinary };
}

async function closeSocket(ws: WebSocket): Promise<void> {
  const closed = once(ws, 'close');
  ws.close();
  await closed;
}

describe('echo server: /ws', () => {
  let pki: TestPki;
  let server: EchoServer;
  const lines: string[] = [];
  const origin = 'ws://gateway/HTTPRouteBackendProtocolWebSocket';

  before(async () => {
    pki = await makeTestPki();
    server = await startEcho({
      host: '127.0.0.1',
      httpPort: 0,
      h2cPort: 0,
      https: { cert: pki.serverCert, key: pki.serverKey, port: 0 },
      log: (line) => lines.push(line),
    });
  });
  after(async () => {
    await server?.close();
    await pki?.cleanup();
  });

  it('sends text and binary messages back unchanged, keeping their type', async () => {
    const ws = await openSocket(`ws://127.0.0.1:${server.httpPort}/ws`, { origin });
    for (let i = 0; i < 3; i++) {
      const text = await roundTrip(ws, 'Websocket Support!');
      assert.deepEqual([text.data.toString('utf8'), text.isBinary], ['Websocket Support!', false]);
      const bytes = Buffer.from([1, 2, 3, 4, 5, 6, 7, 0xff]);
      const binary = await roundTrip(ws, bytes);
      assert.deepEqual([binary.data, binary.isBinary], [bytes, true]);
    }
    await closeSocket(ws);
    assert.ok(lines.includes(`established websocket connection ${origin}`), lines.join('\n'));
  });

  it('refuses a handshake without Origin with 403, as x/net/websocket does', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.httpPort}/ws`);
    const [, response] = (await once(ws, 'unexpected-response')) as [unknown, { statusCode: number }];
    assert.equal(response.statusCode, 403);
    ws.on('error', () => {}); // terminating a socket that never opened reports an error
    ws.terminate();
  });

  it('answers a plain GET /ws with 400', async () => {
    const res = await fetchOnce(`http://127.0.0.1:${server.httpPort}/ws`);
    assert.equal(res.status, 400);
    assert.equal(res.body, 'not websocket protocol');
  });

  it('echoes an Upgrade request to another path as JSON and closes the connection', async () => {
    const reply = await rawExchange(
      server.httpPort,
      'GET /other HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
    );
    assert.match(reply, /^HTTP\/1\.1 200 OK\r\n/);
    const echo = JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4));
    assert.equal(echo.path, '/other');
    assert.deepEqual(echo.headers.Upgrade, ['websocket']);
  });

  it('accepts wss:// on the HTTPS port', async () => {
    const ws = await openSocket(`wss://localhost:${server.httpsPort}/ws`, { origin, ca: pki.serverCa });
    const reply = await roundTrip(ws, 'over tls');
    assert.equal(reply.data.toString('utf8'), 'over tls');
    await closeSocket(ws);
  });
});
