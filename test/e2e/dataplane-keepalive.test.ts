// Idle client connections: the keep-alive timeout (DataPlaneOptions /
// --keep-alive-timeout, 75 s by default) for connections between requests, the shorter limit for a
// request head that stalls, and no request lost to the idle sweep: a request that reached an idle
// connection while the event loop was busy is served, not answered with a reset.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect as tlsConnect } from 'node:tls';
import type { DataPlaneOptions } from '../../src/dataplane/types.js';
import { type EchoBackend, startEchoBackend } from '../fixtures/backend.js';
import { createTestPki, type TestPki } from '../fixtures/certs.js';
import { startDataPlane, type TestDataPlane } from '../fixtures/dataplane.js';
import {
  buildIr,
  cluster,
  forwardTo,
  gateway,
  httpPort,
  httpsPort,
  listener,
  route,
} from '../fixtures/ir.js';
import { freePort } from '../fixtures/net.js';
import { waitFor } from '../fixtures/wait.js';

const REQUEST = 'GET /x HTTP/1.1\r\nhost: a\r\n\r\n';

/** A client connection that records what it receives and whether the server closed it. */
class Client {
  text = '';
  closed = false;
  error: Error | undefined;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.text += chunk.toString('latin1');
    });
    socket.on('error', (err) => {
      this.error = err;
    });
    socket.on('close', () => {
      this.closed = true;
    });
  }

  static async open(port: number): Promise<Client> {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    return new Client(socket);
  }

  /** HTTP/1.1 over TLS (ALPN http/1.1) to a listener whose certificate names `a`. */
  static async openTls(port: number, ca: string): Promise<Client> {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca, servername: 'a', ALPNProtocols: ['http/1.1'] });
    await once(socket, 'secureConnect');
    return new Client(socket);
  }

  /** Sends a request and waits for the n-th complete response on this connection. */
  async request(n: number): Promise<void> {
    this.socket.write(REQUEST);
    await waitFor(() => this.responses >= n || this.closed, `response ${n}`);
    assert.equal(this.responses, n, `response ${n}; got: ${this.text}; error: ${this.error?.message}`);
  }

  get responses(): number {
    return this.text.split('HTTP/1.1 200 OK').length - 1;
  }
}

async function startPlane(backend: EchoBackend, options: Partial<DataPlaneOptions>, pki?: TestPki) {
  const port = await freePort();
  const plane = startDataPlane(options);
  const routes = [route(forwardTo('v1'), { prefix: '/x' })];
  const portIr = pki
    ? httpsPort(port, [listener('https', null, routes, [await pki.leaf('test/a', ['a'])])])
    : httpPort(port, [listener('http', null, routes)]);
  await plane.applyOk(buildIr([gateway('gw', [portIr])], [cluster('v1', [backend.endpoint])]));
  return { plane, port };
}

describe('idle client connections', { concurrency: true }, () => {
  let backend: EchoBackend;
  const planes: TestDataPlane[] = [];

  before(async () => {
    backend = await startEchoBackend('v1');
  });

  after(async () => {
    await Promise.all(planes.map((p) => p.close()));
    await backend.close();
  });

  it('HTTPS: HTTP/1.1 connections idle past the timeout are closed, and kept past 5 s by default', async () => {
    const pki = await createTestPki();
    try {
      const short = await startPlane(backend, { keepAliveTimeoutMs: 1_000 }, pki);
      const long = await startPlane(backend, {}, pki);
      planes.push(short.plane, long.plane);
      const closing = await Client.openTls(short.port, pki.ca);
      const staying = await Client.openTls(long.port, pki.ca);
      await closing.request(1);
      await staying.request(1);
      await sleep(7_000);
      assert.equal(closing.closed, true, 'idle past 1 s: closed');
      assert.equal(staying.closed, false, 'idle 7 s under the default: open');
      await staying.request(2);
      staying.socket.destroy();
    } finally {
      await pki.dispose();
    }
  });

  for (const httpEngine of ['fast', 'node'] as const) {
    it(`${httpEngine} engine: closes a connection idle for longer than the keep-alive timeout`, async () => {
      const { plane, port } = await startPlane(backend, { httpEngine, keepAliveTimeoutMs: 1_000 });
      planes.push(plane);
      const client = await Client.open(port);
      await client.request(1);
      await waitFor(() => client.closed, 'the server to close the idle connection', 4_000);
      assert.equal(client.closed, true, 'the idle connection was closed');
    });

    it(`${httpEngine} engine: keeps an idle connection open past 5 s by default`, async () => {
      const { plane, port } = await startPlane(backend, { httpEngine });
      planes.push(plane);
      const idle = await Client.open(port);
      await idle.request(1);
      // answered by the gateway itself (no route): the response ends within the read of the request
      const answered = await Client.open(port);
      answered.socket.write('GET /none HTTP/1.1\r\nhost: a\r\n\r\n');
      await waitFor(() => answered.text.includes('HTTP/1.1 404'), 'the 404');
      const stalled = await Client.open(port);
      await stalled.request(1);
      stalled.socket.write('GET /x HTTP/1.1\r\nhost:');
      await sleep(7_000);
      assert.equal(idle.closed, false, 'an idle connection outlives the old 5 s timeout');
      assert.equal(answered.closed, false, 'so does one whose last response came from the gateway itself');
      await idle.request(2);
      // node:http bounds a head by its headersTimeout (60 s) instead
      if (httpEngine === 'fast') assert.equal(stalled.closed, true, 'a head silent for 5 s is closed');
      for (const client of [idle, answered, stalled]) client.socket.destroy();
    });
  }
});

describe('the idle sweep and a request that arrives while the event loop is busy (fast engine)', () => {
  let backend: EchoBackend;
  let plane: TestDataPlane;
  let port: number;

  before(async () => {
    backend = await startEchoBackend('v1');
    ({ plane, port } = await startPlane(backend, { httpEngine: 'fast', keepAliveTimeoutMs: 1_000 }));
  });

  after(async () => {
    await plane.close();
    await backend.close();
  });

  it('serves the request instead of closing the connection under it', async () => {
    const client = await Client.open(port);
    await client.request(1);
    await sleep(600);
    // The request is in the server socket's receive queue before the loop stalls; when the loop
    // resumes, the sweep is overdue and the connection has been idle for longer than 1 s.
    client.socket.write(REQUEST);
    const busyUntil = Date.now() + 2_200;
    while (Date.now() < busyUntil) {
      // the event loop is busy (a long synchronous task)
    }
    await waitFor(() => client.responses >= 2 || client.closed, 'the second response or a close');
    assert.equal(
      client.responses,
      2,
      `second response; got: ${client.text}; error: ${client.error?.message}`,
    );
    client.socket.destroy();
  });
});
