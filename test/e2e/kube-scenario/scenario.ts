// The Kubernetes end-to-end scenario, for any API server with the Gateway API CRDs installed: a
// real cluster (`npm run e2e:kube -- --kubeconfig <path>`) or the API server double (`npm test`).
// It runs `gatehouse controller` replicas as child processes against the cluster and checks,
// through the API alone, that statuses appear and follow changes, that another controller's
// objects are left alone, and that a standby takes over from a killed leader. Steps run in order
// and stop at the first failure; cleanup (controllers stopped, this run's objects deleted) runs
// in every case, also after an abort. Returns a report instead of throwing.

import { freePort } from '../../fixtures/net.js';
import { describeError, ScenarioCluster, seconds } from './cluster.js';
import type { ScenarioContext, Step } from './context.js';
import { ControllerSet, DEFAULT_LEASE_TIMINGS, type LeaseTimings } from './controllers.js';
import { leaderFailover, leaderStarts } from './failover-steps.js';
import { type ScenarioNames, scenarioNames } from './manifests.js';
import { cleanUp, crdsServed, objectsCreated } from './setup-steps.js';
import {
  foreignUntouched,
  gatewayClassAccepted,
  gatewayProgrammed,
  routeBackendMissing,
  routeBackendResolved,
  routeDetached,
  routeFollowsChanges,
} from './status-steps.js';

export const STEPS: readonly Step[] = [
  crdsServed,
  objectsCreated,
  leaderStarts,
  gatewayClassAccepted,
  gatewayProgrammed,
  routeBackendMissing,
  routeBackendResolved,
  routeFollowsChanges,
  foreignUntouched,
  leaderFailover,
  routeDetached,
];

export interface KubeScenarioOptions {
  kubeconfig: string;
  /** A context of the kubeconfig (default: its current-context). */
  context?: string;
  log: (line: string) => void;
  /** Leave the created objects in place (the controllers are stopped anyway). */
  keep?: boolean;
  /** Bound of each wait (default 30 s). */
  timeoutMs?: number;
  /** How often a wait reads the cluster (default 250 ms). */
  pollMs?: number;
  lease?: LeaseTimings;
  /** Aborting stops the current step; cleanup still runs. */
  signal?: AbortSignal;
  /** Makes the names; random by default. */
  suffix?: string;
}

export interface StepResult {
  name: string;
  outcome: 'passed' | 'failed' | 'not run';
  ms: number;
  error?: string;
}

export interface ScenarioReport {
  passed: boolean;
  steps: StepResult[];
  /** What cleanup could not do (objects left behind). */
  cleanupProblems: string[];
  names: ScenarioNames;
  totalMs: number;
}

export async function runKubeScenario(options: KubeScenarioOptions): Promise<ScenarioReport> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 30_000;
  const names = scenarioNames(options.suffix);
  const lease = options.lease ?? DEFAULT_LEASE_TIMINGS;
  const cluster = ScenarioCluster.fromFile(
    options.kubeconfig,
    { timeoutMs, pollMs: options.pollMs ?? 250, ...(options.signal ? { signal: options.signal } : {}) },
    options.context,
  );
  const ctx: ScenarioContext = {
    cluster,
    names,
    controllers: new ControllerSet({
      kubeconfig: options.kubeconfig,
      ...(options.context ? { context: options.context } : {}),
      names,
      lease,
      startTimeoutMs: timeoutMs,
    }),
    lease,
    listenerPort: await freePort(),
    created: [],
    foreign: [],
    log: options.log,
  };
  options.log(
    `API server ${cluster.server} (context ${cluster.config.getCurrentContext()}); run ${names.suffix}`,
  );
  const steps = await runSteps(ctx, options.signal);
  const failed = steps.some((s) => s.outcome !== 'passed');
  if (failed) for (const line of ctx.controllers.logTails()) options.log(line);
  options.log('cleanup');
  const cleanupProblems = await cleanUp(ctx, options.keep ?? false);
  const report = { passed: !failed, steps, cleanupProblems, names, totalMs: Date.now() - started };
  for (const line of formatSummary(report)) options.log(line);
  return report;
}

async function runSteps(ctx: ScenarioContext, signal: AbortSignal | undefined): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const [index, step] of STEPS.entries()) {
    if (results.some((r) => r.outcome === 'failed') || signal?.aborted) {
      results.push({ name: step.name, outcome: 'not run', ms: 0 });
      continue;
    }
    ctx.log(`[${index + 1}/${STEPS.length}] ${step.name}`);
    const at = Date.now();
    try {
      await step.run(ctx);
      results.push({ name: step.name, outcome: 'passed', ms: Date.now() - at });
    } catch (err) {
      const error = signal?.aborted ? 'interrupted' : describeError(err);
      ctx.log(`  FAILED: ${error}`);
      results.push({ name: step.name, outcome: 'failed', ms: Date.now() - at, error });
    }
  }
  return results;
}

export function formatSummary(report: ScenarioReport): string[] {
  const label = { passed: 'ok  ', failed: 'FAIL', 'not run': '--  ' } as const;
  const passed = report.steps.filter((s) => s.outcome === 'passed').length;
  return [
    `summary (namespace ${report.names.namespace}, ${seconds(report.totalMs)} in all):`,
    ...report.steps.flatMap((s) => [
      `  ${label[s.outcome]} ${(s.outcome === 'not run' ? '' : seconds(s.ms)).padStart(7)}  ${s.name}`,
      ...(s.error ? [`                 ${s.error}`] : []),
    ]),
    ...report.cleanupProblems.map((p) => `  cleanup problem: ${p}`),
    `${report.passed ? 'PASSED' : 'FAILED'}: ${passed} of ${report.steps.length} steps passed` +
      (report.cleanupProblems.length ? `; ${report.cleanupProblems.length} cleanup problem(s)` : ''),
  ];
}
