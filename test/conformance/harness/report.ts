/**
 * The upstream ConformanceReport (gateway.networking.k8s.io/v1, conformance/apis/v1 and
 * conformance/utils/suite/reports.go): implementation, date, Gateway API version and channel from
 * the CRDs, mode, and per profile the core and extended status (result success/partial/failure,
 * Passed/Skipped/Failed statistics, failed and skipped test names, supported and unsupported
 * extended features) with upstream's summary sentence, plus the provisional tests that passed.
 * NOT_SUPPORTED tests are left out of the statistics, as upstream does.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { CrdBundle } from './cluster.js';
import { REPO_ROOT } from './paths.js';
import type { TestResult } from './plan.js';
import { GATEWAY_HTTP, GATEWAY_HTTP_EXTENDED, isCore } from './profiles.js';

type Result = 'success' | 'partial' | 'failure';

interface Status {
  result: Result;
  statistics: { Passed: number; Skipped: number; Failed: number };
  skippedTests?: string[];
  failedTests?: string[];
}

interface ExtendedStatus extends Status {
  supportedFeatures?: string[];
  unsupportedFeatures?: string[];
}

export interface ProfileReport {
  name: string;
  summary: string;
  core: Status;
  extended?: ExtendedStatus;
}

export interface ConformanceReport {
  apiVersion: string;
  kind: string;
  implementation: { organization: string; project: string; url: string; version: string; contact: string[] };
  date: string;
  gatewayAPIVersion: string;
  gatewayAPIChannel: string;
  mode: string;
  profiles: ProfileReport[];
  succeededProvisionalTests?: string[];
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export function buildReport(
  results: readonly TestResult[],
  supported: ReadonlySet<string>,
  bundle: CrdBundle,
  date = new Date(),
): ConformanceReport {
  const profile = profileReport(results, supported);
  const provisional = results
    .filter((r) => r.provisional && r.result === 'SUCCEEDED')
    .map((r) => r.shortName)
    .sort();
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'ConformanceReport',
    implementation: {
      organization: 'gatehouse',
      project: 'gatehouse',
      url: 'https://github.com/gatehouse/gatehouse',
      version: `v${packageVersion()}`,
      contact: ['https://github.com/gatehouse/gatehouse/issues'],
    },
    date: date.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    gatewayAPIVersion: bundle.version,
    gatewayAPIChannel: bundle.channel,
    mode: 'default',
    profiles: [profile],
    ...(provisional.length > 0 ? { succeededProvisionalTests: provisional } : {}),
  };
}

function profileReport(results: readonly TestResult[], supported: ReadonlySet<string>): ProfileReport {
  const core = emptyStatus();
  let extended: ExtendedStatus | undefined;
  for (const r of results) {
    if (r.result === 'NOT_SUPPORTED') continue;
    if (isCore(r.features)) {
      count(core, r);
      continue;
    }
    extended ??= emptyStatus();
    count(extended, r);
  }
  finish(core);
  if (extended) {
    finish(extended);
    const sorted = [...GATEWAY_HTTP_EXTENDED].sort();
    const claimed = sorted.filter((f) => supported.has(f));
    const unclaimed = sorted.filter((f) => !supported.has(f));
    if (claimed.length > 0) extended.supportedFeatures = claimed;
    if (unclaimed.length > 0) extended.unsupportedFeatures = unclaimed;
  }
  const summary = `Core tests ${summaryOf(core)}${extended ? `. Extended tests ${summaryOf(extended)}` : ''}.`;
  return { name: GATEWAY_HTTP, summary, core, ...(extended ? { extended } : {}) };
}

function emptyStatus(): Status {
  return { result: 'success', statistics: { Passed: 0, Skipped: 0, Failed: 0 } };
}

function count(status: Status, r: TestResult): void {
  if (r.result === 'SUCCEEDED') status.statistics.Passed++;
  if (r.result === 'FAILED') {
    status.statistics.Failed++;
    status.failedTests = [...(status.failedTests ?? []), r.shortName];
  }
  if (r.result === 'SKIPPED') {
    status.statistics.Skipped++;
    status.skippedTests = [...(status.skippedTests ?? []), r.shortName];
  }
}

function finish(status: Status): void {
  if (status.statistics.Failed > 0) status.result = 'failure';
  else if (status.statistics.Skipped > 0) status.result = 'partial';
  else status.result = 'success';
}

function summaryOf(status: Status): string {
  if (status.result === 'success') return 'succeeded';
  if (status.result === 'partial') return `partially succeeded with ${status.statistics.Skipped} test skips`;
  return `failed with ${status.statistics.Failed} test failures`;
}

/** YAML with keys in alphabetical order, as the published reports are. */
export function reportYaml(report: ConformanceReport): string {
  return stringify(report, { sortMapEntries: true, lineWidth: 0 });
}
