/**
 * The GATEWAY-HTTP core conformance set under node:test (part of `npm test`): the harness starts
 * once (API server double, pods, `gatehouse controller`), then each core test of the upstream
 * suite runs as its own subtest, in upstream's order, one after the other. Needs root for the pod
 * network; where that is impossible the suite is skipped with the reason, except in CI (CI=true),
 * where it fails so a broken runner cannot pass silently.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Harness } from './harness/harness.js';
import { allTests } from './harness/plan.js';
import { inGatewayHttp, isCore } from './harness/profiles.js';
import type { TestOutcome } from './harness/t.js';
import { PORTED_TESTS } from './tests/index.js';

const unavailable = await Harness.unavailableReason();
const inCi = process.env.CI === 'true';
const coreTests = allTests(PORTED_TESTS).filter((t) => inGatewayHttp(t.features) && isCore(t.features));

function failureReport(outcome: TestOutcome, harness: Harness): string {
  return [...outcome.failures, '--- test log ---', ...outcome.logs.slice(-60), harness.diagnostics()].join(
    '\n',
  );
}

describe('Gateway API conformance, GATEWAY-HTTP core', { skip: !inCi && unavailable }, () => {
  const harness = new Harness();

  before(async () => {
    if (unavailable) assert.fail(`CI=true but the pod network cannot be built: ${unavailable}`);
    await harness.start();
  });

  after(() => harness.stop());

  it('covers every core test of the profile', () => {
    const unported = coreTests.filter((t) => !t.test).map((t) => t.shortName);
    assert.deepEqual(unported, [], 'core tests without a port');
    assert.equal(coreTests.length, 37);
  });

  for (const planned of coreTests) {
    const test = planned.test;
    if (!test) continue;
    it(test.shortName, async () => {
      const outcome = await harness.runTest(test);
      if (!outcome.passed) assert.fail(failureReport(outcome, harness));
    });
  }
});
