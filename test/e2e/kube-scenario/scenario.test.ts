// The real-cluster scenario (`npm run e2e:kube`) run against the API server double, which serves
// the repository's Gateway API CRDs and validates objects against them: every step passes, and
// afterwards nothing the run created is left and no controller is still running. Without the
// CRDs it stops at the first step with the install command, having created nothing; interrupted
// midway, it still cleans up.

import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { after, describe, it } from 'node:test';
import { type ApiServer, startApiServer } from '../../apiserver/index.js';
import { type TempDir, tempDir } from '../cli-process.js';
import { startCluster } from '../controller-fixtures.js';
import { INSTALL_COMMAND } from './crds.js';
import { type KubeScenarioOptions, runKubeScenario, type ScenarioReport, STEPS } from './scenario.js';

const FAST: Omit<KubeScenarioOptions, 'kubeconfig' | 'log'> = {
  timeoutMs: 10_000,
  pollMs: 25,
  lease: { durationMs: 1500, renewDeadlineMs: 1000, retryPeriodMs: 200 },
};

/** Objects on the server that belong to the run: in its namespace or named after it. */
function leftovers(api: ApiServer, report: ScenarioReport): string[] {
  const { namespace, suffix } = report.names;
  return [...api.objects().values()]
    .flat()
    .filter((o) => o.metadata.namespace === namespace || (o.metadata.name ?? '').includes(suffix))
    .map((o) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`);
}

function failures(report: ScenarioReport): string {
  return report.steps
    .filter((s) => s.outcome === 'failed')
    .map((s) => `${s.name}: ${s.error}`)
    .join('\n');
}

describe('e2e:kube scenario against the API server double', () => {
  const disposers: (() => Promise<void>)[] = [];
  after(async () => {
    for (const dispose of disposers.reverse()) await dispose();
  });

  it('passes every step and leaves nothing behind', async (t) => {
    const cluster = await startCluster();
    disposers.push(() => cluster.dispose());
    const lines: string[] = [];
    const report = await runKubeScenario({
      ...FAST,
      kubeconfig: cluster.kubeconfig,
      log: (l) => lines.push(l),
    });
    assert.ok(report.passed, `${failures(report)}\n${lines.join('\n')}`);
    assert.deepEqual(
      report.steps.map((s) => s.outcome),
      STEPS.map(() => 'passed'),
    );
    assert.deepEqual(report.cleanupProblems, []);
    assert.deepEqual(leftovers(cluster.api, report), []);
    assert.ok(lines.at(-1)?.startsWith(`PASSED: ${STEPS.length} of ${STEPS.length}`), lines.at(-1));
    t.diagnostic(`scenario took ${report.totalMs} ms`);
  });

  it('without the Gateway API CRDs, stops at once with the install command and creates nothing', async () => {
    const api = await startApiServer();
    disposers.push(() => api.stop());
    const dir: TempDir = await tempDir('gatehouse-scenario-');
    disposers.push(() => dir.dispose());
    const kubeconfig = dir.file('kubeconfig.yaml');
    await writeFile(kubeconfig, api.kubeconfig.yaml);
    const report = await runKubeScenario({ ...FAST, kubeconfig, log: () => {} });
    assert.equal(report.passed, false);
    const [first, ...rest] = report.steps;
    assert.equal(first?.outcome, 'failed');
    assert.match(first?.error ?? '', /CRD gatewayclasses\.gateway\.networking\.k8s\.io is not installed/);
    assert.ok(first?.error?.includes(INSTALL_COMMAND), first?.error);
    assert.deepEqual(new Set(rest.map((s) => s.outcome)), new Set(['not run']));
    assert.deepEqual(leftovers(api, report), []);
    assert.equal(
      api.requests().filter((r) => r.method !== 'GET').length,
      0,
      'nothing was written to the cluster',
    );
  });

  it('interrupted after the controller started, stops it and deletes what it created', async () => {
    const cluster = await startCluster();
    disposers.push(() => cluster.dispose());
    const aborter = new AbortController();
    const lines: string[] = [];
    const interruptAt = STEPS.findIndex((s) => s.name.startsWith('our GatewayClass'));
    const report = await runKubeScenario({
      ...FAST,
      kubeconfig: cluster.kubeconfig,
      signal: aborter.signal,
      log: (line) => {
        lines.push(line);
        if (line.startsWith(`[${interruptAt + 1}/`)) aborter.abort();
      },
    });
    assert.equal(report.passed, false);
    assert.deepEqual(
      report.steps.slice(0, interruptAt).map((s) => s.outcome),
      STEPS.slice(0, interruptAt).map(() => 'passed'),
      lines.join('\n'),
    );
    assert.equal(report.steps[interruptAt]?.error, 'interrupted');
    assert.deepEqual(report.cleanupProblems, []);
    assert.deepEqual(leftovers(cluster.api, report), []);
  });
});
