// Binding end to end: the Gateway's own addresses, an address pool, the default bind; port errors
// (EADDRINUSE, EADDRNOTAVAIL, a socket claimed twice) reported without disturbing other ports;
// listener sockets kept across applies, replaced when the protocol changes, closed when removed.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request } from 'node:http';
import { createServer, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
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
import { freePort, send } from '../fixtures/net.js';

const echoListener = () => listener('http', null, [route(forwardTo('v1'))]);

async function refused(port: number, address = '127.0.0.1'): Promise<boolean> {
  try {
    await send(port, { address });
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ECONNREFUSED';
  }
}

describe('data plane binding', () => {
  let backend: EchoBackend;
  let pki: TestPki;
  const planes: TestDataPlane[] = [];
  const clusters = () => [cluster('v1', [backend.endpoint])];
  const newPlane = (options: { addressPool?: string } = {}) => {
    const plane = startDataPlane(options);
    planes.push(plane);
    return plane;
  };

  before(async () => {
    backend = await startEchoBackend('v1');
    pki = await createTestPki();
  });

  after(async () => {
    await Promise.all(planes.map((p) => p.close()));
    await backend.close();
    await pki.dispose();
  });

  it('binds the Gateway addresses when given, the default bind otherwise', async () => {
    const plane = newPlane();
    const port = await freePort('127.0.0.2');
    const report = await plane.applyOk(
      buildIr(
        [
          gateway('own', [httpPort(port, [echoListener()])], ['127.0.0.2']),
          gateway('default', [httpPort(port, [echoListener()])]),
        ],
        clusters(),
      ),
    );
    assert.deepEqual(report.gateways['test/own']?.addresses, ['127.0.0.2']);
    assert.deepEqual(report.gateways['test/default']?.addresses, ['127.0.0.1']);
    assert.equal((await send(port, { address: '127.0.0.2' })).json().backend, 'v1');
    assert.equal((await send(port, { address: '127.0.0.1' })).json().backend, 'v1');
  });

  it('gives each Gateway its own pool address, stable while it exists', async () => {
    const plane = newPlane({ addressPool: '127.0.77.0/24' });
    const port = await freePort('127.0.77.1');
    const gw = (name: string) => gateway(name, [httpPort(port, [echoListener()])]);
    const first = await plane.applyOk(buildIr([gw('a'), gw('b')], clusters()));
    assert.deepEqual(first.gateways['test/a']?.addresses, ['127.0.77.1']);
    assert.deepEqual(first.gateways['test/b']?.addresses, ['127.0.77.2']);
    const second = await plane.applyOk(buildIr([gw('c'), gw('b')], clusters()));
    assert.deepEqual(second.gateways['test/b']?.addresses, ['127.0.77.2']);
    assert.deepEqual(second.gateways['test/c']?.addresses, ['127.0.77.1']);
    assert.equal((await send(port, { address: '127.0.77.2' })).json().backend, 'v1');
  });

  it('reports a port in use while the other ports of the Gateway work, and binds it once free', async () => {
    const plane = newPlane();
    const busyPort = await freePort();
    const freeOne = await freePort();
    const blocker: Server = createServer();
    blocker.listen(busyPort, '127.0.0.1');
    await once(blocker, 'listening');
    const ir = buildIr(
      [gateway('gw', [httpPort(busyPort, [echoListener()]), httpPort(freeOne, [echoListener()])])],
      clusters(),
    );
    const report = await plane.apply(ir, 1);
    const errors = report.gateways['test/gw']?.portErrors ?? [];
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.port, busyPort);
    assert.match(errors[0]?.message ?? '', /EADDRINUSE/);
    assert.equal((await send(freeOne)).json().backend, 'v1');
    await new Promise((resolve) => blocker.close(resolve));
    const retried = await plane.apply(ir, 2);
    assert.deepEqual(retried.gateways['test/gw']?.portErrors, []);
    assert.equal((await send(busyPort)).json().backend, 'v1');
  });

  it('reports an address that is not local and a socket two Gateways claim', async () => {
    const plane = newPlane();
    const port = await freePort();
    const report = await plane.apply(
      buildIr(
        [
          gateway('remote', [httpPort(port, [echoListener()])], ['192.0.2.10']),
          gateway('first', [httpPort(port, [echoListener()])]),
          gateway('second', [httpPort(port, [echoListener()])]),
        ],
        clusters(),
      ),
      1,
    );
    assert.match(report.gateways['test/remote']?.portErrors[0]?.message ?? '', /EADDRNOTAVAIL/);
    assert.deepEqual(report.gateways['test/first']?.portErrors, []);
    assert.match(
      report.gateways['test/second']?.portErrors[0]?.message ?? '',
      /already used by Gateway test\/first/,
    );
    assert.equal((await send(port)).json().backend, 'v1');
  });

  it('keeps listener sockets across applies and closes removed ones', async () => {
    const plane = newPlane();
    const kept = await freePort();
    const removed = await freePort();
    const routeTo = (prefix: string) => listener('http', null, [route(forwardTo('v1'), { prefix })]);
    await plane.applyOk(
      buildIr(
        [gateway('gw', [httpPort(kept, [routeTo('/old')]), httpPort(removed, [routeTo('/old')])])],
        clusters(),
      ),
    );
    const socket = await openKeepAlive(kept);
    assert.equal(await socket.get('/old'), 200);
    await plane.applyOk(buildIr([gateway('gw', [httpPort(kept, [routeTo('/new')])])], clusters()));
    // The same client connection now sees the new configuration.
    assert.equal(await socket.get('/old'), 404);
    assert.equal(await socket.get('/new'), 200);
    socket.close();
    assert.equal(await refused(removed), true);
  });

  it('replaces the socket when a port changes protocol', async () => {
    const plane = newPlane();
    const port = await freePort();
    await plane.applyOk(buildIr([gateway('gw', [httpPort(port, [echoListener()])])], clusters()));
    assert.equal((await send(port)).json().backend, 'v1');
    const cert = await pki.leaf('test/cert', ['secure.test']);
    const secure = listener('https', null, [route(forwardTo('v1'))], [cert]);
    await plane.applyOk(buildIr([gateway('gw', [httpsPort(port, [secure])])], clusters()));
    const reply = await send(port, { host: 'secure.test', tls: { ca: pki.ca } });
    assert.equal(reply.json().headers['x-forwarded-proto'], 'https');
  });

  it('closes every socket on close()', async () => {
    const plane = startDataPlane();
    const port = await freePort();
    await plane.applyOk(buildIr([gateway('gw', [httpPort(port, [echoListener()])])], clusters()));
    const socket = await openKeepAlive(port);
    assert.equal(await socket.get('/'), 200);
    const closed = socket.closed();
    await plane.close();
    await closed;
    assert.equal(await refused(port), true);
    await assert.rejects(plane.apply(buildIr([]), 9), /closed/);
  });
});

/** One kept-alive HTTP/1.1 connection, for checking what a single connection sees. */
async function openKeepAlive(port: number) {
  const { Agent } = await import('node:http');
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let socketClosed: Promise<unknown> | undefined;
  return {
    get: (path: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request({ port, host: '127.0.0.1', path, agent }, (res) => {
          res.resume();
          res.once('end', () => resolve(res.statusCode ?? 0));
        });
        req.once('socket', (s) => {
          socketClosed ??= once(s, 'close');
        });
        req.once('error', reject);
        req.end();
      }),
    closed: () => socketClosed ?? Promise.resolve(),
    close: () => agent.destroy(),
  };
}
