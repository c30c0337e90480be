import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DataPlane, DataPlaneStats } from '../dataplane/types.js';
import { captureLogger } from '../observability/testing.js';
import { Drain, type DrainOptions } from './drain.js';

/** A data plane whose drain finishes when the test says so. */
function fakePlane() {
  let finishDrain!: () => void;
  const drained = new Promise<void>((resolve) => {
    finishDrain = resolve;
  });
  let drainCalled!: (at: number) => void;
  const drainCalledAt = new Promise<number>((resolve) => {
    drainCalled = resolve;
  });
  const calls: string[] = [];
  const plane: DataPlane = {
    apply: async (_ir, generation) => ({ generation, gateways: {} }),
    drain: () => {
      calls.push('drain');
      drainCalled(performance.now());
      return drained;
    },
    stats: (): DataPlaneStats => ({
      draining: calls.includes('drain'),
      connections: 2,
      inFlight: 1,
      upstreams: [],
    }),
    close: async () => {
      calls.push('close');
      finishDrain();
    },
  };
  return { plane, calls, finishDrain, drainCalledAt };
}

function setUp(options: Partial<DrainOptions> = {}) {
  const fake = fakePlane();
  const captured = captureLogger();
  let exited!: (code: number) => void;
  const exitCode = new Promise<number>((resolve) => {
    exited = resolve;
  });
  const steps: string[] = [];
  const drain = new Drain({
    dataPlane: fake.plane,
    logger: captured.logger,
    delayMs: 0,
    progressIntervalMs: 60_000,
    onStart: () => {
      steps.push('start');
    },
    onDrained: () => {
      steps.push('drained');
    },
    exit: (code) => {
      steps.push(`exit ${code}`);
      exited(code);
    },
    ...options,
  });
  return { ...fake, ...captured, drain, exitCode, steps };
}

describe('Drain', () => {
  it('fails readiness at once, drains the data plane after the delay, exits 0 once drained', async () => {
    const t = setUp({ delayMs: 100 });
    const startedAt = performance.now();
    t.drain.onSignal('SIGTERM');
    assert.equal(t.drain.draining, true);
    assert.deepEqual(t.calls, []);
    const drainCalledAt = await t.drainCalledAt;
    assert.ok(drainCalledAt - startedAt >= 95, `drained after ${drainCalledAt - startedAt} ms`);
    await t.waitFor((l) => l.msg === 'listeners closed; waiting for connections to finish');
    assert.deepEqual(t.steps, ['start']);
    t.finishDrain();
    assert.equal(await t.exitCode, 0);
    assert.deepEqual(t.steps, ['start', 'drained', 'exit 0']);
    assert.ok(t.lines.some((l) => l.msg === 'drained: no connection left'));
  });

  it('logs connections and in-flight requests at every progress interval', async () => {
    const t = setUp({ progressIntervalMs: 20 });
    t.drain.start('POST /drain');
    const progress = () => t.lines.filter((l) => l.msg === 'draining');
    await t.waitFor((l) => l.msg === 'draining');
    await t.waitFor(() => progress().length >= 2);
    t.finishDrain();
    await t.exitCode;
    assert.deepEqual(
      progress()
        .slice(0, 2)
        .map((l) => [l.component, l.connections, l.inFlight]),
      [
        ['drain', 2, 1],
        ['drain', 2, 1],
      ],
    );
  });

  it('does not cut the drain short on a second SIGTERM', async () => {
    const t = setUp();
    t.drain.onSignal('SIGTERM');
    await t.drainCalledAt;
    t.drain.onSignal('SIGTERM');
    assert.deepEqual(t.steps, ['start']);
    assert.ok(t.lines.some((l) => l.msg === 'already draining; the drain goes on' && l.reason === 'SIGTERM'));
    t.finishDrain();
    assert.equal(await t.exitCode, 0);
    assert.deepEqual(t.calls, ['drain']);
  });

  it('exits 130 at once on a second SIGINT', async () => {
    const t = setUp({ delayMs: 60_000 });
    t.drain.onSignal('SIGINT');
    t.drain.onSignal('SIGINT');
    assert.equal(await t.exitCode, 130);
    assert.deepEqual(t.calls, []);
  });

  it('closes what is left and exits 1 when the drain timeout passes', async () => {
    const t = setUp({ timeoutMs: 50 });
    t.drain.start('SIGTERM');
    assert.equal(await t.exitCode, 1);
    assert.deepEqual(t.calls, ['drain', 'close']);
    assert.deepEqual(t.steps, ['start', 'drained', 'exit 1']);
    const warning = await t.waitFor((l) => l.msg === 'drain timeout: closing what is left');
    assert.deepEqual([warning.connections, warning.inFlight], [2, 1]);
  });

  it('drains even when the start hook fails', async () => {
    const t = setUp({
      onStart: () => {
        throw new Error('lease release failed');
      },
    });
    t.drain.start('SIGTERM');
    await t.drainCalledAt;
    t.finishDrain();
    assert.equal(await t.exitCode, 0);
    assert.ok(t.lines.some((l) => l.msg === 'drain start hook failed; draining anyway'));
  });
});
