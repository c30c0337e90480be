/**
 * `node dist/test/conformance/run.js`: the upstream Gateway API conformance suite's GATEWAY-HTTP
 * cases, run locally against `gatehouse controller` (see docs/conformance.md). Prints one
 * line per test, the failures with what was sent, expected and received, and the time taken;
 * `--report` writes the upstream-format ConformanceReport. Exits non-zero when a test failed.
 */
import { writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { Command } from 'commander';
import { Harness } from './harness/harness.js';
import { allTests, plan, type TestResult } from './harness/plan.js';
import { GATEWAY_HTTP } from './harness/profiles.js';
import { buildReport, reportYaml } from './harness/report.js';
import { PORTED_TESTS } from './tests/index.js';

interface Flags {
  run?: string;
  profile: string;
  feature?: string[];
  skip?: string;
  report?: string;
  kubeconfig?: string;
  coreOnly: boolean;
  verbose: boolean;
  cleanupBaseResources: boolean;
}

const list = (value?: string) =>
  value
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;

async function main(flags: Flags): Promise<number> {
  if (flags.profile !== GATEWAY_HTTP) throw new Error(`only the ${GATEWAY_HTTP} profile is supported`);
  const unavailable = await Harness.unavailableReason();
  if (unavailable) {
    process.stderr.write(`cannot run the conformance suite here: ${unavailable}\n`);
    return 2;
  }
  const started = performance.now();
  const harness = new Harness({
    ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
    ...(flags.feature ? { supportedFeatures: flags.feature.flatMap((f) => list(f) ?? []) } : {}),
    verbose: flags.verbose,
    cleanupBaseResources: flags.cleanupBaseResources,
  });
  const results: TestResult[] = [];
  try {
    await harness.start();
    const suite = harness.suite;
    const planned = plan(allTests(PORTED_TESTS), suite.supportedFeatures, {
      ...(flags.run ? { run: list(flags.run) } : {}),
      ...(flags.skip ? { skip: list(flags.skip) } : {}),
      coreOnly: flags.coreOnly,
    });
    for (const p of planned) {
      const result: TestResult = {
        shortName: p.shortName,
        features: p.features,
        provisional: p.provisional,
        result: p.verdict ?? 'SUCCEEDED',
      };
      if (p.reason) result.reason = p.reason;
      if (!p.verdict && p.test) {
        const outcome = await harness.runTest(p.test);
        result.outcome = outcome;
        result.result = outcome.passed ? 'SUCCEEDED' : 'FAILED';
      }
      results.push(result);
      printResult(result, flags.verbose, harness);
    }
    if (flags.report) {
      const report = buildReport(results, suite.supportedFeatures, harness.bundle!);
      await writeFile(flags.report, reportYaml(report));
      process.stdout.write(`report written to ${flags.report}\n`);
    }
  } finally {
    await harness.stop();
  }
  const failed = results.filter((r) => r.result === 'FAILED');
  const count = (type: string) => results.filter((r) => r.result === type).length;
  process.stdout.write(
    `\n${count('SUCCEEDED')} passed, ${failed.length} failed, ${count('SKIPPED')} skipped, ${count('NOT_SUPPORTED')} not supported in ${((performance.now() - started) / 1000).toFixed(1)}s\n`,
  );
  return failed.length > 0 ? 1 : 0;
}

function printResult(result: TestResult, verbose: boolean, harness: Harness): void {
  const seconds = result.outcome ? ` (${(result.outcome.durationMs / 1000).toFixed(1)}s)` : '';
  const why = result.reason ? ` - ${result.reason}` : '';
  process.stdout.write(`${result.result.padEnd(13)} ${result.shortName}${seconds}${why}\n`);
  const outcome = result.outcome;
  if (!outcome || (outcome.passed && !verbose)) return;
  const body = outcome.passed
    ? outcome.logs
    : [...outcome.failures, '--- log ---', ...outcome.logs.slice(-80), harness.diagnostics()];
  process.stdout.write(`${body.map((line) => `    ${line.replace(/\n/g, '\n    ')}`).join('\n')}\n`);
}

const program = new Command()
  .name('conformance')
  .description('run the Gateway API conformance cases against gatehouse controller')
  .option('--run <names>', 'only these tests (comma-separated short names)')
  .option('--profile <name>', 'conformance profile', GATEWAY_HTTP)
  .option('--feature <names...>', 'supported features (default: GatewayClass status.supportedFeatures)')
  .option('--skip <names>', 'tests to skip (comma-separated short names)')
  .option('--report <file>', 'write the ConformanceReport YAML here')
  .option('--kubeconfig <path>', 'use this API server instead of the API server double')
  .option('--core-only', 'run only the core tests of the profile', false)
  .option('--no-cleanup-base-resources', 'keep the base manifests and the suite Secrets after the run')
  .option('-v, --verbose', 'print the log of every test and of the harness', false)
  .action(async (flags: Flags) => {
    process.exitCode = await main(flags);
  });

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 2;
});
