// Scenarios on one catch-all route: (1) small GETs over 64 keep-alive connections, closed loop;
// (2) a fixed request rate below saturation, open loop, for the latency tail; (5) 1,000 concurrent
// keep-alive connections. Every proxy and the direct-to-backend ceiling, in interleaved rounds.

import type { RouteSet } from './configs/routes.js';
import { type FixedRateRun, loadgenArgs, runLoadgen, usToMs } from './loadgen.js';
import type { BenchOptions } from './options.js';
import { displayCommand } from './procs.js';
import type { BenchContext } from './proxies.js';
import {
  gatehouseRatios,
  interleave,
  type Log,
  type MetricDef,
  rowsFrom,
  type ScenarioResult,
  startTargets,
  stopTargets,
  type Target,
  withCpu,
} from './rounds.js';
import { errorCount, runWrk, type WrkRun, wrkArgs } from './wrk.js';

export interface ScenarioEnv {
  ctx: BenchContext;
  options: BenchOptions;
  log: Log;
  /** The compiled fixed-rate load generator. */
  loadgen: string;
}

const CATCH_ALL: RouteSet = { kind: 'catch-all' };

/** The wrk command of a scenario as the report shows it, with `<port>` for the target's port. */
export function wrkCommand(ctx: BenchContext, run: Omit<WrkRun, 'port'>): string {
  const args = wrkArgs({ ...run, port: 0 }).map((a) => a.replace('127.0.0.1:0/', '127.0.0.1:<port>/'));
  return displayCommand(ctx.repoRoot, ctx.cpus.load, 'wrk', args);
}

/** Starts the targets, hands them to `body`, and always stops them again. */
export async function withTargets<T>(
  env: ScenarioEnv,
  kinds: BenchOptions['proxies'],
  routeSets: RouteSet[],
  notes: string[],
  body: (targets: Target[]) => Promise<T>,
): Promise<T> {
  const targets = await startTargets(env.ctx, kinds, routeSets, notes, env.log);
  try {
    return await body(targets);
  } finally {
    await stopTargets(targets);
  }
}

/** The start commands of the proxies (the direct target has none). */
export function proxyCommands(targets: readonly Target[]): string[] {
  return targets.filter((t) => t.kind !== 'direct').map((t) => t.proxy.command);
}

function perCpu(requests: number, cpuSeconds: number | undefined): number | undefined {
  return cpuSeconds && cpuSeconds > 0 ? requests / cpuSeconds : undefined;
}

const KEEPALIVE_METRICS: MetricDef[] = [
  { key: 'rps', label: 'rps', digits: 0 },
  { key: 'p50Ms', label: 'p50 ms', digits: 2 },
  { key: 'p99Ms', label: 'p99 ms', digits: 2 },
  { key: 'reqPerCpuS', label: 'req per CPU-s', digits: 0 },
  { key: 'errors', label: 'errors', digits: 0 },
];

export function keepAlive(env: ScenarioEnv): Promise<ScenarioResult> {
  const { ctx, options } = env;
  const notes: string[] = [];
  const run: Omit<WrkRun, 'port'> = {
    connections: 64,
    threads: ctx.cpus.load.length,
    seconds: options.duration,
  };
  return withTargets(env, options.proxies, [CATCH_ALL], notes, async (targets) => {
    const samples = await interleave(
      targets,
      options.rounds,
      async (t) => {
        const { result, cpuSeconds } = await withCpu(t.proxy.roots, () =>
          runWrk({ ...run, port: t.proxy.port }, ctx.cpus.load),
        );
        return {
          rps: result.rps,
          p50Ms: result.p50Ms,
          p99Ms: result.p99Ms,
          reqPerCpuS: perCpu(result.requests, cpuSeconds),
          errors: errorCount(result) + result.errors.timeout,
        };
      },
      env.log,
      notes,
    );
    const rows = rowsFrom(targets, samples);
    return {
      id: 'keepalive',
      title: '1. Small GET, keep-alive, 64 connections',
      description: `wrk, closed loop: ${run.connections} connections, ${options.duration} s per run, 2-byte 200.`,
      metrics: KEEPALIVE_METRICS,
      rows,
      ratios: gatehouseRatios(rows),
      commands: [...proxyCommands(targets), wrkCommand(ctx, run)],
      notes,
    };
  });
}

/** Seconds of load before each fixed-rate measurement (see bench/loadgen.c). */
const WARMUP_SECONDS = 1;

const FIXED_RATE_METRICS: MetricDef[] = [
  { key: 'achievedRps', label: 'achieved rps', digits: 0 },
  { key: 'p50Ms', label: 'p50 ms', digits: 2 },
  { key: 'p99Ms', label: 'p99 ms', digits: 2 },
  { key: 'p999Ms', label: 'p99.9 ms', digits: 2 },
  { key: 'maxMs', label: 'max ms', digits: 1 },
  { key: 'failed', label: 'failed', digits: 0 },
  { key: 'cpuPercent', label: 'proxy CPU %', digits: 0 },
];

export function fixedRate(env: ScenarioEnv): Promise<ScenarioResult> {
  const { ctx, options } = env;
  const notes = [
    `Open loop at ${options.rate} requests/s over 64 connections; latency measured from each request's due time.`,
    `Each run first sends ${WARMUP_SECONDS} s at the same rate on the same connections and leaves it out of the percentiles: ` +
      'opening 64 connections at once and first-use costs are not the steady-state tail (failures in it still count).',
    'A failed or unanswered request counts as infinitely slow, so a tail of failures shows as "∞".',
  ];
  const run: Omit<FixedRateRun, 'port'> = {
    rate: options.rate,
    seconds: options.duration,
    connections: 64,
    host: 'bench.test',
    path: '/',
    timeoutSeconds: 5,
    warmupSeconds: WARMUP_SECONDS,
  };
  return withTargets(env, options.proxies, [CATCH_ALL], notes, async (targets) => {
    const samples = await interleave(
      targets,
      options.rounds,
      async (t) => {
        const { result, cpuSeconds } = await withCpu(t.proxy.roots, () =>
          runLoadgen(env.loadgen, { ...run, port: t.proxy.port }, ctx.cpus.load),
        );
        const loadSeconds = result.seconds + result.warmupSeconds;
        return {
          achievedRps: result.completed / loadSeconds,
          p50Ms: usToMs(result.p50Us),
          p99Ms: usToMs(result.p99Us),
          p999Ms: usToMs(result.p999Us),
          maxMs: usToMs(result.maxUs),
          failed: result.errors + result.non2xx + result.unanswered,
          cpuPercent: cpuSeconds === undefined ? undefined : (100 * cpuSeconds) / loadSeconds,
        };
      },
      env.log,
      notes,
    );
    const rows = rowsFrom(targets, samples);
    return {
      id: 'fixed-rate',
      title: `2. Fixed rate, ${options.rate} requests/s`,
      description: 'bench/loadgen.c (compiled with gcc at bench time), open loop, no coordinated omission.',
      metrics: FIXED_RATE_METRICS,
      rows,
      ratios: gatehouseRatios(rows),
      commands: [
        ...proxyCommands(targets),
        displayCommand(ctx.repoRoot, ctx.cpus.load, env.loadgen, [
          '<port>',
          ...loadgenArgs({ ...run, port: 0 }).slice(1),
        ]),
      ],
      notes,
    };
  });
}

const CONNECTIONS_METRICS: MetricDef[] = [
  { key: 'rps', label: 'rps', digits: 0 },
  { key: 'p99Ms', label: 'p99 ms', digits: 1 },
  { key: 'errors', label: 'errors', digits: 0 },
  { key: 'timeouts', label: 'timeouts', digits: 0 },
  { key: 'reqPerCpuS', label: 'req per CPU-s', digits: 0 },
];

export function manyConnections(env: ScenarioEnv): Promise<ScenarioResult> {
  const { ctx, options } = env;
  const notes = [`Every process runs with the open-file limit raised to the hard limit (${ctx.fdLimit}).`];
  const run: Omit<WrkRun, 'port'> = {
    connections: 1000,
    threads: ctx.cpus.load.length,
    seconds: options.duration,
    timeoutSeconds: 5,
  };
  return withTargets(env, options.proxies, [CATCH_ALL], notes, async (targets) => {
    const samples = await interleave(
      targets,
      options.rounds,
      async (t) => {
        const { result, cpuSeconds } = await withCpu(t.proxy.roots, () =>
          runWrk({ ...run, port: t.proxy.port }, ctx.cpus.load),
        );
        return {
          rps: result.rps,
          p99Ms: result.p99Ms,
          errors: errorCount(result),
          timeouts: result.errors.timeout,
          reqPerCpuS: perCpu(result.requests, cpuSeconds),
        };
      },
      env.log,
      notes,
    );
    const rows = rowsFrom(targets, samples);
    return {
      id: 'connections',
      title: '5. 1,000 concurrent keep-alive connections',
      description: `wrk, closed loop: 1,000 connections, 5 s request timeout, ${options.duration} s per run.`,
      metrics: CONNECTIONS_METRICS,
      rows,
      ratios: gatehouseRatios(rows),
      commands: [...proxyCommands(targets), wrkCommand(ctx, run)],
      notes,
    };
  });
}
