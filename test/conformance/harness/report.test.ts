// How a run is planned and reported: unsupported tests are left out, skipped ones make a profile
// partial, failures are named, claimed features without a ported test fail, and the report has
// upstream's shape.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allTests, plan, type TestResult } from './plan.js';
import { buildReport } from './report.js';
import type { ConformanceTest } from './suite.js';

const bundle = { version: 'v1.6.1', channel: 'standard' };
const result = (shortName: string, features: string[], outcome: TestResult['result']): TestResult => ({
  shortName,
  features,
  provisional: false,
  result: outcome,
});

describe('plan', () => {
  const ported: ConformanceTest = {
    shortName: 'HTTPRouteSimpleSameNamespace',
    description: '',
    features: ['Gateway', 'HTTPRoute'],
    manifests: [],
    test: async () => {},
  };
  const tests = allTests([ported]);

  it('marks claimed tests without a port as failures and unclaimed ones as not supported', () => {
    const planned = plan(tests, new Set(['Gateway', 'HTTPRoute', 'ReferenceGrant', 'HTTPRouteCORS']), {});
    const verdict = (name: string) => planned.find((p) => p.shortName === name)?.verdict;
    assert.equal(verdict('HTTPRouteSimpleSameNamespace'), undefined);
    assert.equal(verdict('HTTPRouteCORS'), 'FAILED');
    assert.equal(verdict('HTTPRouteRetry'), 'NOT_SUPPORTED');
    assert.equal(planned.length, 94);
  });

  it('narrows to named or core tests and refuses unknown names', () => {
    const core = plan(tests, new Set(['Gateway', 'HTTPRoute', 'ReferenceGrant']), { coreOnly: true });
    assert.equal(core.length, 37);
    assert.throws(() => plan(tests, new Set(), { run: ['NoSuchTest'] }), /no such test: NoSuchTest/);
  });
});

describe('buildReport', () => {
  it('counts core and extended results like upstream', () => {
    const report = buildReport(
      [
        result('A', ['Gateway', 'HTTPRoute'], 'SUCCEEDED'),
        result('B', ['Gateway', 'HTTPRoute'], 'SKIPPED'),
        result('C', ['Gateway', 'HTTPRoute', 'HTTPRouteCORS'], 'FAILED'),
        result('D', ['Gateway', 'ListenerSet'], 'NOT_SUPPORTED'),
      ],
      new Set(['Gateway', 'HTTPRoute', 'ReferenceGrant', 'HTTPRouteCORS']),
      bundle,
      new Date('2026-01-02T03:04:05Z'),
    );
    const [profile] = report.profiles;
    assert.equal(report.kind, 'ConformanceReport');
    assert.equal(report.date, '2026-01-02T03:04:05Z');
    assert.deepEqual(profile?.core, {
      result: 'partial',
      statistics: { Passed: 1, Skipped: 1, Failed: 0 },
      skippedTests: ['B'],
    });
    assert.equal(profile?.extended?.result, 'failure');
    assert.deepEqual(profile?.extended?.failedTests, ['C']);
    assert.deepEqual(profile?.extended?.supportedFeatures, ['HTTPRouteCORS']);
    assert.ok(profile?.extended?.unsupportedFeatures?.includes('ListenerSet'));
    assert.equal(
      profile?.summary,
      'Core tests partially succeeded with 1 test skips. Extended tests failed with 1 test failures.',
    );
  });
});
