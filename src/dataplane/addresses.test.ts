import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GatewayIR } from '../ir/types.js';
import { AddressPool, chooseAddresses } from './addresses.js';

const gateway = (key: string, addresses: string[] = []): GatewayIR => ({
  key,
  namespace: key.split('/')[0] ?? '',
  name: key.split('/')[1] ?? '',
  addresses,
  ports: [],
});

describe('AddressPool', () => {
  it('gives each Gateway its own host address, stable across calls', () => {
    const pool = new AddressPool('127.0.10.0/24');
    assert.equal(pool.allocate('ns/a'), '127.0.10.1');
    assert.equal(pool.allocate('ns/b'), '127.0.10.2');
    assert.equal(pool.allocate('ns/a'), '127.0.10.1');
  });

  it('reuses the address of a Gateway that is gone', () => {
    const pool = new AddressPool('127.0.10.0/24');
    pool.allocate('ns/a');
    pool.allocate('ns/b');
    pool.retain(new Set(['ns/b']));
    assert.equal(pool.allocate('ns/c'), '127.0.10.1');
    assert.equal(pool.allocate('ns/b'), '127.0.10.2');
  });

  it('runs out after the last host address', () => {
    const pool = new AddressPool('127.0.10.4/30');
    assert.equal(pool.allocate('a'), '127.0.10.5');
    assert.equal(pool.allocate('b'), '127.0.10.6');
    assert.equal(pool.allocate('c'), undefined);
    assert.equal(new AddressPool('127.0.0.9/32').allocate('x'), '127.0.0.9');
  });

  it('rejects what is not an IPv4 CIDR', () => {
    assert.throws(() => new AddressPool('fd00::/64'), /IPv4 CIDR/);
    assert.throws(() => new AddressPool('127.0.0.0/33'), /IPv4 CIDR/);
  });
});

describe('chooseAddresses', () => {
  const pool = new AddressPool('127.0.20.0/24');
  it('prefers the Gateway addresses, then the pool, then the default', () => {
    assert.deepEqual(chooseAddresses(gateway('ns/a', ['127.0.0.5']), '0.0.0.0', pool).addresses, [
      '127.0.0.5',
    ]);
    assert.deepEqual(chooseAddresses(gateway('ns/b'), '0.0.0.0', pool).addresses, ['127.0.20.1']);
    assert.deepEqual(chooseAddresses(gateway('ns/c'), '0.0.0.0', undefined).addresses, ['0.0.0.0']);
  });
  it('reports an exhausted pool', () => {
    const tiny = new AddressPool('127.0.30.1/32');
    chooseAddresses(gateway('ns/a'), '0.0.0.0', tiny);
    const choice = chooseAddresses(gateway('ns/b'), '0.0.0.0', tiny);
    assert.deepEqual(choice.addresses, []);
    assert.match(choice.error ?? '', /exhausted/);
  });
});
