// The upstream pool's limit on connects in progress (fast engine): past MAX_CONNECTING, requests
// without a body wait for a connection instead of opening one more, and are all answered once the
// backend accepts again; requests with a body still open their own; a route timeout answers a
// waiting request 504. The backend is a child process stopped with SIGSTOP and listening with a
// backlog of one, so the kernel leaves further connects pending (SYN_SENT) until it continues.

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { MAX_CONNECTING } from '../../src/dataplane/upstream/pool.js';
import { startDataPlane, type TestDataPlane } from '../fixtures/dataplane.js';
import { buildIr, cluster, forwardTo, gateway, httpPort, listener, route } from '../fixtures/ir.js';
import { freePort, send } from '../fixtures/net.js';
import { waitFor } from '../fixtures/wait.js';

const BACKEND = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => res.end('ok'));
});
server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => process.stdout.write(server.address().port + '\\n'));
`;

const SYN_SENT = '02';

/** Our sockets to `port` from /proc/net/tcp (remote port `port`), in `state` or any. */
function socketsTo(port: number, state?: string): number {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return readFileSync('/proc/net/tcp', 'latin1')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f[2]?.endsWith(`:${hex}`) && (state === undefined || f[3] === state)).length;
}

describe('upstream connects in progress are limited', { skip: process.platform !== 'linux' }, () => {
  let backend: ChildProcess;
  let backendPort: number;
  let plane: TestDataPlane;
  let port: number;

  before(async () => {
    backend = spawn(process.execPath, ['-e', BACKEND], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await once(backend.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
    backendPort = Number(line.toString().trim());
    port = await freePort();
    plane = startDataPlane();
    await plane.applyOk(
      buildIr(
        [
          gateway('gw', [
            httpPort(port, [
              listener('http', null, [
                route(forwardTo('slow'), { prefix: '/timeout', timeouts: { requestMs: 300 } }),
                route(forwardTo('slow'), { prefix: '/' }),
              ]),
            ]),
          ]),
        ],
        [cluster('slow', [{ address: '127.0.0.1', port: backendPort }])],
      ),
    );
  });

  after(async () => {
    backend.kill('SIGCONT');
    backend.kill();
    await plane.close();
  });

  it('opens at most MAX_CONNECTING at once; the other requests wait and are all answered', async () => {
    backend.kill('SIGSTOP');
    const count = MAX_CONNECTING * 3;
    const replies = Array.from({ length: count }, (_, i) => send(port, { path: `/wait/${i}` }));
    // The stopped backend's backlog takes a connect or two; the rest stay pending.
    const pending = () => socketsTo(backendPort, SYN_SENT);
    await waitFor(() => pending() >= MAX_CONNECTING, `${MAX_CONNECTING} connects`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(pending(), MAX_CONNECTING);
    assert.ok(socketsTo(backendPort) <= MAX_CONNECTING + 2, `${socketsTo(backendPort)} sockets`);
    // Each request has a connection of its own or waits: the stats count the waiting ones.
    const slow = plane.stats().upstreams.find((u) => u.cluster === 'slow');
    assert.equal((slow?.queued ?? 0) + (slow?.connections ?? 0), count);
    assert.ok((slow?.queued ?? 0) >= count - MAX_CONNECTING - 2);

    // A request with a body does not wait: it opens one more.
    const post = send(port, { path: '/upload', method: 'POST', body: Buffer.from('x'.repeat(100)) });
    await waitFor(() => pending() === MAX_CONNECTING + 1, 'the POST connect');

    // A waiting request still gets its route's timeout.
    const timedOut = await send(port, { path: '/timeout/x' });
    assert.equal(timedOut.status, 504);

    backend.kill('SIGCONT');
    const answered = await Promise.all([...replies, post]);
    assert.deepEqual(
      answered.map((r) => `${r.status} ${r.body.toString()}`),
      Array.from({ length: count + 1 }, () => '200 ok'),
    );
    // Every connection, and no more than were needed, served them.
    assert.ok(socketsTo(backendPort) <= count + 1);
  });
});
