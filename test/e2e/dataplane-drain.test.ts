// The data plane's drain end to end: idle connections close at once, busy HTTP/1.1 ones after
// their response (which says `Connection: close`), HTTP/2 sessions after a GOAWAY once their
// streams finish, on plain and TLS listeners; no new connection is accepted; drain() resolves
// only after the last connection closed; applies during a drain open no listener.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { type ClientHttp2Session, connect as h2connect } from 'node:http2';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { CertificateIR } from '../../src/ir/types.js';
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

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  socket: Socket;
}

/** A keep-alive agent with one connection. */
function keepAliveAgent(tls: { ca: string } | undefined): Agent {
  const options = { keepAlive: true, maxSockets: 1 };
  return tls ? new HttpsAgent({ ...options, ca: tls.ca, servername: 'drain.test' }) : new Agent(options);
}

/** One GET on `agent`; resolves with the response once its body is read. */
function get(port: number, path: string, agent: Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const options = { host: '127.0.0.1', port, path, agent, headers: { host: 'drain.test' } };
    const req = agent instanceof HttpsAgent ? httpsRequest(options) : httpRequest(options);
    req.once('error', reject);
    req.once('response', (res) => {
      const socket = res.socket;
      res.resume();
      res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, socket }));
    });
    req.end();
  });
}

/** Resolves once the server has processed the session's preface (a PING round trip). */
async function established(session: ClientHttp2Session): Promise<void> {
  await once(session, 'connect');
  await new Promise<void>((resolve, reject) => {
    session.ping((err) => (err ? reject(err) : resolve()));
  });
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

describe('data plane drain', () => {
  let backend: EchoBackend;
  let pki: TestPki;
  let certificate: CertificateIR;

  before(async () => {
    backend = await startEchoBackend('v1');
    pki = await createTestPki();
    certificate = await pki.leaf('test/drain', ['drain.test']);
  });

  after(async () => {
    await backend.close();
    await pki.dispose();
  });

  async function planeOn(port: number, protocol: 'HTTP' | 'HTTPS'): Promise<TestDataPlane> {
    const plane = startDataPlane();
    const routes = [route(forwardTo('v1'))];
    const portIr =
      protocol === 'HTTP'
        ? httpPort(port, [listener('http', null, routes)])
        : httpsPort(port, [listener('https', 'drain.test', routes, [certificate])]);
    await plane.applyOk(buildIr([gateway('gw', [portIr])], [cluster('v1', [backend.endpoint])]));
    return plane;
  }

  for (const protocol of ['HTTP', 'HTTPS'] as const) {
    it(`${protocol}/1.1: closes idle connections at once and busy ones after a Connection: close answer`, async () => {
      const port = await freePort();
      const plane = await planeOn(port, protocol);
      const tls = protocol === 'HTTPS' ? { ca: pki.ca } : undefined;
      const idleAgent = keepAliveAgent(tls);
      const busyAgent = keepAliveAgent(tls);
      try {
        const first = await get(port, '/warm', idleAgent);
        assert.equal(first.headers.connection, 'keep-alive');
        const idleClosed = once(first.socket, 'close');
        const seen = once(backend.events, 'request');
        const busy = get(port, '/slow?delay=400', busyAgent);
        await seen;
        assert.deepEqual(
          { connections: plane.stats().connections, inFlight: plane.stats().inFlight },
          { connections: 2, inFlight: 1 },
        );

        let drained = false;
        const draining = plane.drain().then(() => {
          drained = true;
        });
        await idleClosed;
        assert.equal(plane.stats().draining, true);
        assert.equal(await refused(port), true, 'no new connection once draining');
        assert.equal(drained, false, 'still draining while a response is in flight');
        const answer = await busy;
        assert.equal(answer.status, 200);
        assert.equal(answer.headers.connection, 'close');
        await draining;
        assert.deepEqual(plane.stats().connections, 0);
        assert.deepEqual(plane.stats().inFlight, 0);
        if (!answer.socket.destroyed) await once(answer.socket, 'close');
      } finally {
        idleAgent.destroy();
        busyAgent.destroy();
        await plane.close();
      }
    });
  }

  it('HTTP/2: sends GOAWAY, finishes the streams in flight, closes idle sessions', async () => {
    const port = await freePort();
    const plane = await planeOn(port, 'HTTP');
    const busySession = h2connect(`http://127.0.0.1:${port}`);
    const idleSession = h2connect(`http://127.0.0.1:${port}`);
    try {
      await Promise.all([established(busySession), established(idleSession)]);
      const seen = once(backend.events, 'request');
      const stream = busySession.request({ ':path': '/slow?delay=300', ':authority': 'drain.test' });
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      const status = once(stream, 'response').then(([headers]) => Number(headers[':status']));
      const ended = once(stream, 'end');
      await seen;

      const goaway = once(busySession, 'goaway');
      const idleClosed = once(idleSession, 'close');
      const drained = plane.drain();
      await goaway;
      await idleClosed;
      assert.equal(await status, 200);
      await ended;
      assert.equal(JSON.parse(Buffer.concat(chunks).toString()).backend, 'v1');
      await drained;
      assert.equal(plane.stats().connections, 0);
    } finally {
      busySession.destroy();
      idleSession.destroy();
      await plane.close();
    }
  });

  it('applies during a drain update routing but open no listener', async () => {
    const port = await freePort();
    const extra = await freePort();
    const plane = await planeOn(port, 'HTTP');
    const agent = keepAliveAgent(undefined);
    try {
      const seen = once(backend.events, 'request');
      const busy = get(port, '/slow?delay=300', agent);
      await seen;
      const drained = plane.drain();
      const routes = [route(forwardTo('v1'))];
      const report = await plane.apply(
        buildIr(
          [
            gateway('gw', [
              httpPort(port, [listener('http', null, routes)]),
              httpPort(extra, [listener('x', null, routes)]),
            ]),
          ],
          [cluster('v1', [backend.endpoint])],
        ),
        99,
      );
      assert.deepEqual(report.gateways['test/gw']?.portErrors, []);
      assert.equal(await refused(extra), true);
      assert.equal((await busy).status, 200);
      await drained;
    } finally {
      agent.destroy();
      await plane.close();
    }
  });
});
