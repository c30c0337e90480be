/**
 * Which tests a run executes and how each one counts, as upstream's suite decides it: a test whose
 * features are not all supported is NOT_SUPPORTED (left out of the statistics), one named in
 * --skip is SKIPPED, the others run and SUCCEED or FAIL. A catalogue test this harness has not
 * ported, whose features are nevertheless claimed, is a FAILURE: a claim must be proven. `--run`
 * and `--core-only` narrow the run; tests left out that way are not reported at all.
 */
import { GATEWAY_HTTP_TESTS, inGatewayHttp, isCore } from './profiles.js';
import type { ConformanceTest } from './suite.js';
import type { TestOutcome } from './t.js';

export type ResultType = 'SUCCEEDED' | 'FAILED' | 'SKIPPED' | 'NOT_SUPPORTED';

export interface PlannedTest {
  shortName: string;
  features: readonly string[];
  provisional: boolean;
  /** The ported case; absent when only the catalogue knows the test. */
  test?: ConformanceTest;
  /** Decided before running (skipped, not supported, not ported). */
  verdict?: ResultType;
  reason?: string;
}

export interface TestResult {
  shortName: string;
  features: readonly string[];
  provisional: boolean;
  result: ResultType;
  outcome?: TestOutcome;
  reason?: string;
}

export interface Selection {
  run?: readonly string[];
  skip?: readonly string[];
  coreOnly?: boolean;
}

/** Ported cases and the catalogue, by name; a ported case must agree with the catalogue. */
export function allTests(ported: readonly ConformanceTest[]): PlannedTest[] {
  const byName = new Map(ported.map((t) => [t.shortName, t]));
  const names = new Set([...Object.keys(GATEWAY_HTTP_TESTS), ...byName.keys()]);
  return [...names].sort().map((shortName) => {
    const test = byName.get(shortName);
    const entry = GATEWAY_HTTP_TESTS[shortName];
    if (test && entry && [...test.features].sort().join() !== [...entry.features].sort().join()) {
      throw new Error(
        `${shortName}: features ${test.features} differ from the catalogue's ${entry.features}`,
      );
    }
    const features = test?.features ?? entry?.features ?? [];
    return {
      shortName,
      features,
      provisional: Boolean(test?.provisional ?? entry?.provisional),
      ...(test ? { test } : {}),
    };
  });
}

export function plan(
  tests: readonly PlannedTest[],
  supported: ReadonlySet<string>,
  selection: Selection,
): PlannedTest[] {
  const unknown = (selection.run ?? []).filter((name) => !tests.some((t) => t.shortName === name));
  if (unknown.length > 0) throw new Error(`no such test: ${unknown.join(', ')}`);
  return tests
    .filter((t) => inGatewayHttp(t.features))
    .filter((t) => !selection.run || selection.run.includes(t.shortName))
    .filter((t) => !selection.coreOnly || isCore(t.features))
    .map((t) => {
      const missing = t.features.filter((f) => !supported.has(f));
      if (missing.length > 0)
        return { ...t, verdict: 'NOT_SUPPORTED', reason: `needs ${missing.join(', ')}` };
      if (selection.skip?.includes(t.shortName))
        return { ...t, verdict: 'SKIPPED', reason: 'skipped by name' };
      if (!t.test)
        return {
          ...t,
          verdict: 'FAILED',
          reason: 'its features are claimed but the harness has no port of it',
        };
      return t;
    });
}
