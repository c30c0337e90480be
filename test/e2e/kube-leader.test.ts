// Leader election over a coordination.k8s.io/v1 Lease on the API server double: one of two
// candidates leads; a released lease is taken over at once, an abandoned one within the lease
// duration; a leader that cannot renew steps down within the renew deadline.

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { type LeaderElectionTimings, LeaderElector } from '../../src/runtime/leader/elector.js';
import { type ApiServer, startApiServer } from '../apiserver/index.js';
import { waitFor } from './kube-fixtures.js';

const TIMINGS: LeaderElectionTimings = { leaseDurationMs: 1000, renewDeadlineMs: 600, retryPeriodMs: 100 };

let api: ApiServer | undefined;
const electors: LeaderElector[] = [];

afterEach(async () => {
  await Promise.all(electors.splice(0).map((e) => e.stop()));
  await api?.stop();
  api = undefined;
});

interface Candidate {
  elector: LeaderElector;
  /** Resolves with the time leadership was gained / lost (next occurrence). */
  started(): Promise<number>;
  stopped(): Promise<number>;
}

function candidate(server: ApiServer, identity: string): Candidate {
  let onStart: ((t: number) => void) | undefined;
  let onStop: ((t: number) => void) | undefined;
  const elector = new LeaderElector({
    kubeConfig: server.kubeconfig.config,
    namespace: 'kube-system',
    identity,
    timings: TIMINGS,
    onStartedLeading: () => onStart?.(Date.now()),
    onStoppedLeading: () => onStop?.(Date.now()),
  });
  electors.push(elector);
  return {
    elector,
    started: () => new Promise((resolve) => (onStart = resolve)),
    stopped: () => new Promise((resolve) => (onStop = resolve)),
  };
}

function leaseReads(server: ApiServer): number {
  return server.requests().filter((r) => r.resource === 'leases' && r.method === 'GET').length;
}

function lease(
  server: ApiServer,
): { spec?: { holderIdentity?: string; leaseTransitions?: number } } | undefined {
  return server
    .objects()
    .get('coordination.k8s.io/leases')
    ?.find((l) => l.metadata.name === 'gatehouse-controller') as never;
}

describe('leader election', () => {
  it('exactly one of two candidates leads, and a released lease passes over at once', async () => {
    api = await startApiServer();
    const a = candidate(api, 'a');
    const b = candidate(api, 'b');
    const aLeads = a.started();
    a.elector.start();
    await aLeads;
    const bLeads = b.started();
    const reads = leaseReads(api);
    b.elector.start();
    await waitFor(() => leaseReads(api!) >= reads + 6, 'a few rounds of both candidates');
    assert.equal(a.elector.isLeader, true);
    assert.equal(b.elector.isLeader, false, 'the standby does not take a held lease');
    assert.equal(lease(api)?.spec?.holderIdentity, 'a');
    const released = Date.now();
    await a.elector.stop();
    const tookOver = await bLeads;
    assert.ok(tookOver - released < TIMINGS.leaseDurationMs / 2, `took ${tookOver - released} ms`);
    assert.equal(lease(api)?.spec?.holderIdentity, 'b');
    assert.equal(lease(api)?.spec?.leaseTransitions, 1);
  });

  it('a leader that stops renewing is replaced within the lease duration', async () => {
    api = await startApiServer();
    const a = candidate(api, 'a');
    const b = candidate(api, 'b');
    const aLeads = a.started();
    a.elector.start();
    await aLeads;
    b.elector.start();
    const bLeads = b.started();
    const crashed = Date.now();
    await a.elector.stop({ release: false });
    const tookOver = await bLeads;
    const waited = tookOver - crashed;
    assert.ok(
      waited >= TIMINGS.leaseDurationMs - 2 * TIMINGS.retryPeriodMs,
      `not before expiry (${waited} ms)`,
    );
    assert.ok(
      waited <= TIMINGS.leaseDurationMs + 4 * TIMINGS.retryPeriodMs,
      `within the lease duration (${waited} ms)`,
    );
  });

  it('a leader that cannot reach the API server steps down within the renew deadline', async () => {
    api = await startApiServer();
    const a = candidate(api, 'a');
    const aLeads = a.started();
    a.elector.start();
    await aLeads;
    const steppedDown = a.stopped();
    const cut = Date.now();
    await api.stop();
    const at = await steppedDown;
    assert.ok(at - cut <= TIMINGS.renewDeadlineMs + 50, `stepped down after ${at - cut} ms`);
    assert.equal(a.elector.isLeader, false);
    await api.restart({ keepData: true });
    await a.started();
    assert.equal(a.elector.isLeader, true, 'leads again once the API server is back');
  });

  it('a 409 on the Lease is a lost race, not an error', async () => {
    api = await startApiServer();
    api.failNext({ verb: 'create', resource: 'leases', status: 409 });
    const a = candidate(api, 'a');
    const aLeads = a.started();
    a.elector.start();
    await aLeads;
    assert.equal(lease(api)?.spec?.holderIdentity, 'a');
  });
});
