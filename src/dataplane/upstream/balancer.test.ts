import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BackendPicker, type BackendTarget, ClusterTarget } from './balancer.js';
import type { Endpoint } from './registry.js';

const target = (name: string): BackendTarget => ({
  cluster: new ClusterTarget(name, 'http1', []),
  invalidStatus: 500,
  requestHeaders: undefined,
  responseHeaders: undefined,
});

describe('BackendPicker', () => {
  it('splits uniform draws in proportion to the weights and skips weight 0', () => {
    const a = target('a');
    const b = target('b');
    const picker = new BackendPicker([
      { weight: 70, target: a },
      { weight: 30, target: b },
      { weight: 0, target: target('never') },
    ]);
    const counts = new Map<BackendTarget | undefined, number>();
    for (let i = 0; i < 1000; i++) {
      const picked = picker.pick(i / 1000);
      counts.set(picked, (counts.get(picked) ?? 0) + 1);
    }
    assert.equal(counts.get(a), 700);
    assert.equal(counts.get(b), 300);
    assert.equal(counts.size, 2);
  });

  it('picks nothing when no backend has weight', () => {
    assert.equal(new BackendPicker([]).pick(0.5), undefined);
    assert.equal(new BackendPicker([{ weight: 0, target: target('z') }]).pick(0.5), undefined);
  });
});

describe('ClusterTarget', () => {
  it('takes endpoints in turn', () => {
    const endpoints = ['e1', 'e2', 'e3'].map((key) => ({ key }) as unknown as Endpoint);
    const cluster = new ClusterTarget('c', 'http1', endpoints);
    const keys = Array.from({ length: 7 }, () => cluster.pick()?.key);
    assert.deepEqual(keys, ['e1', 'e2', 'e3', 'e1', 'e2', 'e3', 'e1']);
    assert.equal(new ClusterTarget('empty', 'http1', []).pick(), undefined);
  });
});
