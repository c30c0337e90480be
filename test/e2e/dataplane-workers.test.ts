// The data plane over worker processes (serve --workers): every worker serves the port, an apply
// resolves only once every worker has the generation (so fresh connections, whichever worker takes
// them, all see it), and a worker that dies is replaced and given the configuration in force.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../src/observability/logger.js';
import { WorkerPool } from '../../src/runtime/workers.js';
import { type EchoBackend, startEchoBackend } from '../fixtures/backend.js';
import { buildIr, cluster, forwardTo, gateway, httpPort, listener, route } from '../fixtures/ir.js';
import { freePort, send } from '../fixtures/net.js';

describe('data plane workers', () => {
  let backend: EchoBackend;
  let pool: WorkerPool;
  let port: number;
  const config = (prefix: string) =>
    buildIr(
      [gateway('gw', [httpPort(port, [listener('http', null, [route(forwardTo('v1'), { prefix })])])])],
      [cluster('v1', [backend.endpoint])],
    );

  /** Statuses of `count` requests, each on a new connection (so they spread over the workers). */
  const statuses = async (path: string, count = 30) =>
    Promise.all(Array.from({ length: count }, async () => (await send(port, { path })).status));

  before(async () => {
    backend = await startEchoBackend('v1');
    port = await freePort();
    pool = new WorkerPool({
      workers: 2,
      dataPlane: { defaultBind: '127.0.0.1' },
      log: { level: 'silent', format: 'json' },
      logger: silentLogger(),
    });
  });

  after(async () => {
    await pool.close();
    await backend.close();
  });

  it('serves a generation from every worker once apply resolves', async () => {
    const report = await pool.apply(config('/one'), 1);
    assert.equal(report.generation, 1);
    assert.deepEqual(report.gateways['test/gw']?.portErrors, []);
    assert.deepEqual(new Set(await statuses('/one')), new Set([200]));
    await pool.apply(config('/two'), 2);
    assert.deepEqual(new Set(await statuses('/two')), new Set([200]));
    assert.deepEqual(new Set(await statuses('/one', 10)), new Set([404]));
  });

  it('replaces a worker that dies and gives it the configuration in force', async () => {
    const [victim] = pool.pids;
    process.kill(victim as number, 'SIGKILL');
    // The next apply resolves only once the replacement has applied it too.
    await pool.apply(config('/three'), 3);
    assert.equal(pool.pids.length, 2);
    assert.ok(!pool.pids.includes(victim as number), 'the dead worker was replaced');
    assert.deepEqual(new Set(await statuses('/three')), new Set([200]));
  });
});
