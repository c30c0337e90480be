// `gatehouse serve -f examples/quickstart.yaml` through the real CLI: the README's request
// (Host www.example.com) reaches the built-in demo echo backend with the route's added header,
// and the admin endpoint answers /healthz, /readyz (503 until the first configuration, then
// 200), /status and /config. The example is copied with free ports instead of 8080 and 9090.

import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { IR } from '../../src/ir/types.js';
import { freePort, send } from '../fixtures/net.js';
import {
  applied,
  type GatehouseProcess,
  REPO_ROOT,
  startGatehouse,
  type TempDir,
  tempDir,
} from './cli-process.js';
import { gatewayStatus } from './manifests.js';

describe('serve: the quickstart', () => {
  let dir: TempDir;
  let gatehouse: GatehouseProcess;
  let gatewayPort: number;
  /** /readyz answers seen from the moment the admin endpoint listened until the first 200. */
  const readiness: number[] = [];

  before(async () => {
    dir = await tempDir();
    gatewayPort = await freePort();
    const echoPort = await freePort();
    const example = await readFile(join(REPO_ROOT, 'examples/quickstart.yaml'), 'utf8');
    const copy = example
      .replace(/port: 8080/g, `port: ${gatewayPort}`)
      .replace(/(targetPort|port): 9090/g, `$1: ${echoPort}`);
    assert.notEqual(copy, example);
    await writeFile(dir.file('quickstart.yaml'), copy);
    gatehouse = await startGatehouse(['serve', '-f', dir.file('quickstart.yaml'), '--bind', '127.0.0.1']);
    // Poll readiness at once: the process loads and validates its files after the admin is up.
    for (;;) {
      const reply = await gatehouse.admin('/readyz');
      readiness.push(reply.status);
      if (reply.status === 200) break;
      assert.equal(reply.status, 503);
      assert.match(reply.text, /no configuration applied yet/);
    }
  });

  after(async () => {
    await gatehouse?.stop();
    await dir?.dispose();
  });

  it('is not ready before the first configuration, then ready', async () => {
    assert.equal(readiness[0], 503, `readiness answers: ${readiness.join(',')}`);
    assert.equal(readiness.at(-1), 200);
    await gatehouse.waitForLog(applied, 'first configuration');
    assert.equal((await gatehouse.admin('/readyz')).status, 200);
  });

  it('answers the README request from the demo echo backend with the filter header', async () => {
    const reply = await send(gatewayPort, { path: '/get', host: 'www.example.com' });
    assert.equal(reply.status, 200);
    const body = JSON.parse(reply.text()) as {
      backend: string;
      method: string;
      path: string;
      host: string;
      headers: Record<string, string>;
    };
    assert.equal(body.backend, 'default/echo');
    assert.equal(body.method, 'GET');
    assert.equal(body.path, '/get');
    assert.equal(body.host, 'www.example.com');
    assert.equal(body.headers['x-gatehouse-demo'], 'hello');
    assert.equal(body.headers['x-forwarded-for'], '127.0.0.1');
  });

  it('routes by host: another hostname gets a 404', async () => {
    const reply = await send(gatewayPort, { path: '/get', host: 'other.example.com' });
    assert.equal(reply.status, 404);
  });

  it('serves /healthz, /status and /config on the admin endpoint', async () => {
    const health = await gatehouse.admin('/healthz');
    assert.equal(health.status, 200);
    assert.equal(health.text, 'ok\n');

    const statuses = await gatehouse.statuses();
    const gw = gatewayStatus(statuses, 'quickstart');
    assert.ok(gw, 'the quickstart Gateway has a status');
    assert.deepEqual(
      gw.conditions?.map((c) => [c.type, c.status]),
      [
        ['Accepted', 'True'],
        ['Programmed', 'True'],
      ],
    );
    assert.deepEqual(gw.addresses, [{ type: 'IPAddress', value: '127.0.0.1' }]);
    assert.equal(gw.listeners?.[0]?.attachedRoutes, 1);

    const config = (await gatehouse.admin('/config')).json<{ generation: number; ir: IR }>();
    assert.equal(config.generation, 1);
    const port = config.ir.gateways[0]?.ports[0];
    assert.equal(port?.port, gatewayPort);
    assert.deepEqual(port?.listeners[0]?.routes[0]?.hostnames, ['www.example.com']);
  });

  it('answers 404 and 405 for unknown admin paths and methods', async () => {
    assert.equal((await gatehouse.admin('/nope')).status, 404);
    assert.equal((await send(gatehouse.adminPort, { path: '/status', method: 'POST' })).status, 405);
  });
});
