/**
 * The GATEWAY-HTTP core conformance set under node:test (part of `npm test`): the harness starts
 * once (API server double, pods, `gatehouse controller`), then each core test of the upstream
 * suite runs as its own subtest, in upstream's order, one after the other. It needs root (for the
 * pod network) and the upstream manifests (vendored in conformance/upstream); without either the
 * suite is skipped, and the skip message says which one is missing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Harness } from './harness/harness.js';
import { allTests } from './harness/plan.js';
import { inGatewayHttp, isCore } from './harness/profiles.js';
import type { TestOutcome } from './harness/t.js';
import { PORTED_TESTS } from './tests/index.js';

const unavailable = await Harness.unavailableReason();
if (unavailable) process.stderr.write(`conformance core set skipped: ${unavailable}\n`);
const coreTests = allTests(PORTED_TESTS).filter((t) => inGatewayHttp(t.features) && isCore(t.features));

function failureReport(outcome: TestOutcome, harness: Harness): string {
  return [...outcome.failures, '--- test log ---', ...outcome.logs.slice(-60), harness.diagnostics()].join(
    '\n',
  );
}

describe('Gateway API conformance, GATEWAY-HTTP core', { skip: unavailable }, () => {
  const harness = new Harness();

  before(() => harness.start());

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
