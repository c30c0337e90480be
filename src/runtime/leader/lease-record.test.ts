import assert from 'node:assert/strict';
import { test } from 'node:test';
import { heldByOther, observe, released, takeOrRenew } from './lease-record.js';

test('expiry is judged from when this replica saw the record change, not from the holder’s clock', () => {
  const spec = { holderIdentity: 'a', leaseDurationSeconds: 15, renewTime: new Date(0) };
  const seen = observe(undefined, '7', 1_000);
  assert.equal(heldByOther(spec, 'b', seen, 15_999), true);
  assert.equal(heldByOther(spec, 'b', seen, 16_001), false);
  assert.equal(observe(seen, '7', 20_000), seen, 'same record: observation time kept');
  assert.equal(observe(seen, '8', 20_000).observedAt, 20_000);
  assert.equal(heldByOther(spec, 'a', seen, 0), false, 'our own lease');
  assert.equal(heldByOther(released(spec, 0), 'b', seen, 0), false, 'released lease is free');
});

test('renewal keeps acquireTime and transitions; a takeover counts a transition', () => {
  const first = takeOrRenew(undefined, 'a', 15_000, 1_000);
  assert.equal(first.leaseTransitions, 0);
  const renewed = takeOrRenew(first, 'a', 15_000, 3_000);
  assert.equal(renewed.acquireTime, first.acquireTime);
  assert.equal(renewed.leaseTransitions, 0);
  assert.equal(JSON.parse(JSON.stringify(renewed.renewTime)), '1970-01-01T00:00:03.000000Z');
  const taken = takeOrRenew(renewed, 'b', 1_500, 20_000);
  assert.equal(taken.holderIdentity, 'b');
  assert.equal(taken.leaseTransitions, 1);
  assert.equal(taken.leaseDurationSeconds, 2);
});
