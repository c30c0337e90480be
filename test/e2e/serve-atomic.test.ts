// Atomic configuration swaps through the CLI: 20 keep-alive clients request one route without a
// pause while its file is rewritten 50 times, alternating between two backends. Every request
// must be answered by one of them: no 404 from a half-applied configuration, no reset, no 5xx.

import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { type EchoBackend, startEchoBackend } from '../fixtures/backend.js';
import { freePort } from '../fixtures/net.js';
import { applied, type GatehouseProcess, startGatehouse, type TempDir, tempDir } from './cli-process.js';
import { backendService, gateway, gatewayClass, httpRoute, toYaml, writeManifests } from './manifests.js';
import { fromBackend, moreRequests, startTraffic } from './traffic.js';

const REWRITES = 50;
const CLIENTS = 20;

describe('serve: atomic swaps under load', () => {
  let dir: TempDir;
  let gatehouse: GatehouseProcess;
  const backends: EchoBackend[] = [];
  let port: number;

  const routeTo = (backend: string) =>
    toYaml([
      httpRoute('swap', {
        parents: ['gw'],
        hostnames: ['swap.example.com'],
        rules: [{ prefix: '/', backend }],
      }),
    ]);

  before(async () => {
    dir = await tempDir();
    backends.push(await startEchoBackend('blue'), await startEchoBackend('green'));
    port = await freePort();
    await writeManifests(dir.file('base.yaml'), [
      gatewayClass(),
      gateway('gw', [{ name: 'http', port }]),
      ...backendService('blue', backends[0]!.port),
      ...backendService('green', backends[1]!.port),
    ]);
    await writeFile(dir.file('route.yaml'), routeTo('blue'));
    gatehouse = await startGatehouse(['serve', '-f', dir.path, '--bind', '127.0.0.1'], { ready: applied });
  });

  after(async () => {
    await gatehouse?.stop();
    for (const b of backends) await b.close();
    await dir?.dispose();
  });

  it(`${CLIENTS} clients, ${REWRITES} rewrites alternating two backends: zero failures`, async (t) => {
    const traffic = startTraffic(port, {
      clients: CLIENTS,
      host: 'swap.example.com',
      check: fromBackend('blue', 'green'),
    });
    try {
      await moreRequests(traffic, 50);
      for (let i = 1; i <= REWRITES; i++) {
        const since = gatehouse.logs.length;
        await writeFile(dir.file('route.yaml'), routeTo(i % 2 === 1 ? 'green' : 'blue'));
        await gatehouse.waitForLog(applied, `rewrite ${i} applied`, { since });
        await moreRequests(traffic, CLIENTS);
      }
    } finally {
      const result = await traffic.stop();
      t.diagnostic(
        `${result.requests} requests: ${[...result.backends].map(([b, n]) => `${b} ${n}`).join(', ')}; ${result.failures.length} failed`,
      );
      assert.deepEqual(result.failures.slice(0, 5), []);
      assert.ok((result.backends.get('blue') ?? 0) > 0 && (result.backends.get('green') ?? 0) > 0);
    }
    const applies = gatehouse.logs.filter(applied).length;
    assert.ok(applies >= REWRITES + 1, `${applies} configurations applied`);
  });
});
