// Scenario 4, route change under load: wrk keeps a stable route busy while one route is moved, change
// after change, to `/change-<n>`. Each change is timed from the save (Gatehouse: the file renamed
// into the watched directory; nginx and HAProxy: config written and reload signalled) until a fresh
// client connection gets a 200 from the new path. wrk's Lua script counts every non-2xx meanwhile.

import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CHANGE_HOST, changePath, STABLE_HOST } from './configs/routes.js';
import { httpStatus, sleep } from './procs.js';
import type { ProxyKind } from './proxies.js';
import {
  gatehouseRatios,
  type MetricDef,
  rowsFrom,
  type Sample,
  type ScenarioResult,
  type Target,
} from './rounds.js';
import { proxyCommands, type ScenarioEnv, withTargets, wrkCommand } from './scenarios-load.js';
import { percentile } from './stats.js';
import { countFailuresLua, runWrk, type WrkRun } from './wrk.js';

const CHANGING_PROXIES: readonly ProxyKind[] = ['gatehouse', 'haproxy', 'nginx'];
const CHANGE_TIMEOUT_MS = 10_000;

const METRICS: MetricDef[] = [
  { key: 'changeP50Ms', label: 'change p50 ms', digits: 1 },
  { key: 'changeP99Ms', label: 'change p99 ms', digits: 1 },
  { key: 'changeMaxMs', label: 'change max ms', digits: 1 },
  { key: 'missed', label: `changes not live in ${CHANGE_TIMEOUT_MS / 1000} s`, digits: 0 },
  { key: 'failedRequests', label: 'failed requests', digits: 0 },
  { key: 'non2xx', label: 'of which non-2xx', digits: 0 },
  { key: 'requests', label: 'requests', digits: 0 },
];

/** Polls `path` on fresh connections until it answers 200; the elapsed ms, or undefined on timeout. */
async function timeUntilLive(port: number, path: string, since: number): Promise<number | undefined> {
  const deadline = since + CHANGE_TIMEOUT_MS;
  while (performance.now() < deadline) {
    if ((await httpStatus(port, path, CHANGE_HOST, 1000)) === 200) return performance.now() - since;
    await sleep(1);
  }
  return undefined;
}

async function changeUnderLoad(env: ScenarioEnv, target: Target, run: Omit<WrkRun, 'port'>): Promise<Sample> {
  const { ctx, options, log } = env;
  const apply = target.proxy.applyChange;
  if (!apply) throw new Error(`${target.name} cannot change routes`);
  let wrk: ChildProcess | undefined;
  const load = runWrk({ ...run, port: target.proxy.port }, ctx.cpus.load, (child) => (wrk = child));
  load.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
  await sleep(500);
  const times: number[] = [];
  let missed = 0;
  try {
    for (let generation = 1; generation <= options.changes; generation++) {
      const saved = performance.now();
      await apply(generation);
      const took = await timeUntilLive(target.proxy.port, changePath(generation), saved);
      if (took === undefined) missed++;
      else times.push(took);
      await target.proxy.settle?.();
      if (generation % 100 === 0) log(`    ${target.name}: ${generation}/${options.changes} changes`);
    }
  } finally {
    if (wrk?.pid !== undefined && wrk.exitCode === null) process.kill(wrk.pid, 'SIGINT');
  }
  const result = await load;
  const e = result.errors;
  const non2xx = result.luaFailures ?? result.non2xx3xx;
  const failedRequests = non2xx + e.connect + e.read + e.write + e.timeout;
  return {
    changeP50Ms: percentile(times, 50),
    changeP99Ms: percentile(times, 99),
    changeMaxMs: percentile(times, 100),
    missed,
    failedRequests,
    non2xx,
    requests: result.requests,
  };
}

export function routeChange(env: ScenarioEnv): Promise<ScenarioResult> {
  const { ctx, options } = env;
  const kinds = options.proxies.filter((k) => CHANGING_PROXIES.includes(k));
  const notes = [
    `${options.changes} changes per proxy, one after the other (each waits until the new path answers), in one round.`,
    'Gatehouse reloads on its own from the watched directory; nginx gets SIGHUP and HAProxy (master-worker, -W) SIGUSR2 after each config write: their figure includes a full reload.',
    `Load: wrk on host ${STABLE_HOST}; a failed request is a non-2xx response (Lua count) or a socket error or timeout.`,
  ];
  const script = join(ctx.workDir, 'count-failures.lua');
  writeFileSync(script, countFailuresLua());
  const run: Omit<WrkRun, 'port'> = {
    connections: 64,
    threads: ctx.cpus.load.length,
    // an upper bound only: wrk is stopped with SIGINT (and reports) when the changes are done
    seconds: Math.min(3600, options.changes * 3 + 30),
    host: STABLE_HOST,
    script,
  };
  return withTargets(env, kinds, [{ kind: 'change', generation: 0 }], notes, async (targets) => {
    const samples = new Map<string, Sample[]>();
    for (const target of targets) {
      env.log(`  ${target.name}: ${options.changes} route changes under load`);
      try {
        const sample = await changeUnderLoad(env, target, run);
        env.log(`  ${target.name}: ${JSON.stringify(sample)}`);
        samples.set(target.name, [sample]);
      } catch (err) {
        notes.push(`${target.name}: failed: ${err instanceof Error ? err.message : String(err)}`);
        env.log(`  ${target.name} failed: ${err}`);
      }
    }
    const rows = rowsFrom(targets, samples);
    return {
      id: 'route-change',
      title: '4. Route change under load',
      description:
        'Time from saving a route change until the new route answers, and requests failed meanwhile.',
      metrics: METRICS,
      rows,
      ratios: gatehouseRatios(rows),
      commands: [...proxyCommands(targets), wrkCommand(ctx, run)],
      notes,
    };
  });
}
