// `gatehouse serve --address-pool 127.77.0.0/24`: each Gateway gets its own loopback address,
// reported in /status as status.addresses (type IPAddress), and each answers on its own address
// only, so two Gateways can use the same port.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type EchoBackend, startEchoBackend } from '../fixtures/backend.js';
import { freePort, send } from '../fixtures/net.js';
import { applied, type GatehouseProcess, startGatehouse, type TempDir, tempDir } from './cli-process.js';
import {
  backendService,
  gateway,
  gatewayClass,
  gatewayStatus,
  httpRoute,
  writeManifests,
} from './manifests.js';

describe('serve --address-pool: one address per Gateway', () => {
  let dir: TempDir;
  let gatehouse: GatehouseProcess;
  const backends: EchoBackend[] = [];
  let port: number;

  before(async () => {
    dir = await tempDir();
    backends.push(await startEchoBackend('one'), await startEchoBackend('two'));
    port = await freePort();
    await writeManifests(dir.file('gateways.yaml'), [
      gatewayClass(),
      gateway('first', [{ name: 'http', port }]),
      gateway('second', [{ name: 'http', port }]),
      ...backendService('one', backends[0]!.port),
      ...backendService('two', backends[1]!.port),
      httpRoute('to-one', { parents: ['first'], rules: [{ prefix: '/', backend: 'one' }] }),
      httpRoute('to-two', { parents: ['second'], rules: [{ prefix: '/', backend: 'two' }] }),
    ]);
    gatehouse = await startGatehouse(['serve', '-f', dir.path, '--address-pool', '127.77.0.0/24'], {
      ready: applied,
    });
  });

  after(async () => {
    await gatehouse?.stop();
    for (const b of backends) await b.close();
    await dir?.dispose();
  });

  it('gives each Gateway its own address, reported in status.addresses, and serves on it', async () => {
    const statuses = await gatehouse.statuses();
    const addressOf = (name: string): string => {
      const status = gatewayStatus(statuses, name);
      assert.equal(status?.conditions?.find((c) => c.type === 'Programmed')?.status, 'True', name);
      const addresses = status?.addresses ?? [];
      assert.equal(addresses.length, 1, `${name}: ${JSON.stringify(addresses)}`);
      assert.equal(addresses[0]?.type, 'IPAddress');
      assert.match(addresses[0]?.value ?? '', /^127\.77\.0\.\d+$/);
      return addresses[0]!.value;
    };
    const first = addressOf('first');
    const second = addressOf('second');
    assert.notEqual(first, second);

    const one = await send(port, { address: first, host: 'any.example.com' });
    const two = await send(port, { address: second, host: 'any.example.com' });
    assert.equal(one.json().backend, 'one');
    assert.equal(two.json().backend, 'two');
    // Nothing listens on the default address for this port.
    await assert.rejects(send(port, { address: '127.0.0.1' }), /ECONNREFUSED/);
  });
});
