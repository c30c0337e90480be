// Scenarios about the routing table: (3) throughput with 10,000 HTTPRoutes (distinct hostnames and
// paths) relative to the same proxy with one route, and (6) memory with 1 and with 10,000 routes,
// sampled after each load run. Both come from one set of interleaved rounds when both are asked for.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RouteSet } from './configs/routes.js';
import { measureSplit, withWorkerTargets, workerRows, workerRowsNote } from './memory-workers.js';
import { treeMemory } from './proc-stat.js';
import type { ProxyKind } from './proxies.js';
import {
  gatehouseRatios,
  interleave,
  type MetricDef,
  rowsFrom,
  type Sample,
  type ScenarioResult,
  type ScenarioRow,
  type Target,
  withCpu,
} from './rounds.js';
import { proxyCommands, type ScenarioEnv, withTargets, wrkCommand } from './scenarios-load.js';
import { spread } from './stats.js';
import { errorCount, runWrk, spreadRoutesLua, type WrkRun } from './wrk.js';

const ROUTING_PROXIES: readonly ProxyKind[] = ['gatehouse', 'haproxy', 'nginx'];
const MIB = 1024 * 1024;

const ROUTES_METRICS: MetricDef[] = [
  { key: 'rps', label: 'rps', digits: 0 },
  { key: 'rpsVsOneRoute', label: 'rps vs 1 route', digits: 2 },
  { key: 'p99Ms', label: 'p99 ms', digits: 2 },
  { key: 'reqPerCpuS', label: 'req per CPU-s', digits: 0 },
  { key: 'errors', label: 'errors', digits: 0 },
];

const MEMORY_METRICS: MetricDef[] = [
  { key: 'rssMiB', label: 'RSS MiB', digits: 1 },
  { key: 'pssMiB', label: 'PSS MiB', digits: 1 },
];

/** Per round, the many-routes rps divided by the same proxy's one-route rps in that round. */
export function addRatioToOneRoute(
  rows: ScenarioRow[],
  samples: Map<string, Sample[]>,
  targets: Target[],
): void {
  for (const row of rows) {
    if (row.variant === '1 route') continue;
    const one = targets.find((t) => t.kind === row.kind && t.variant === '1 route');
    const mine = samples.get(row.target) ?? [];
    const base = one ? (samples.get(one.name) ?? []) : [];
    const perRound = mine.map((s, i) => (s.rps ?? Number.NaN) / (base[i]?.rps ?? Number.NaN));
    const value = spread(perRound);
    if (value) row.figures.rpsVsOneRoute = value;
  }
}

function pick(rows: ScenarioRow[], keys: readonly string[]): ScenarioRow[] {
  return rows.map((r) => ({
    ...r,
    figures: Object.fromEntries(Object.entries(r.figures).filter(([k]) => keys.includes(k))),
  }));
}

interface Plan {
  env: ScenarioEnv;
  run: Omit<WrkRun, 'port'>;
  notes: string[];
}

/** One load run on a target, then its figures: throughput and the memory of its process tree. */
async function measureLoaded(plan: Plan, t: Target, split: readonly Target[]): Promise<Sample> {
  const { ctx } = plan.env;
  const { result, cpuSeconds } = await withCpu(t.proxy.roots, () =>
    runWrk({ ...plan.run, port: t.proxy.port }, ctx.cpus.load),
  );
  if (split.includes(t)) return measureSplit(t);
  const memory = treeMemory(t.proxy.roots);
  return {
    rps: result.rps,
    p99Ms: result.p99Ms,
    reqPerCpuS: cpuSeconds ? result.requests / cpuSeconds : undefined,
    errors: errorCount(result) + result.errors.timeout,
    rssMiB: memory.rss / MIB,
    pssMiB: memory.pss / MIB,
  };
}

function routesResult(plan: Plan, rows: ScenarioRow[], commands: string[]): ScenarioResult {
  const { options } = plan.env;
  const routesRows = pick(
    rows,
    ROUTES_METRICS.map((m) => m.key),
  );
  const lua = `The Lua script visits the ${options.routes} routes in a fixed shuffled order (host r<i>.bench.test, path /r<i>/item); the 1-route runs use the same script.`;
  const equivalents =
    'HAProxy: one map file looked up with map_beg on Host+path; nginx: one server block per hostname with a prefix location.';
  return {
    id: 'routes',
    title: `3. ${options.routes.toLocaleString('en-US')} HTTPRoutes, requests spread across them`,
    description: `wrk, closed loop, 64 connections, ${plan.run.seconds} s per run; "rps vs 1 route" is per round.`,
    metrics: ROUTES_METRICS,
    rows: routesRows,
    ratios: gatehouseRatios(routesRows),
    commands,
    notes: [...plan.notes, lua, equivalents],
  };
}

function memoryResult(
  plan: Plan,
  rows: ScenarioRow[],
  commands: string[],
  split: { targets: readonly Target[]; rows: ScenarioRow[] },
): ScenarioResult {
  const { ctx, options } = plan.env;
  const memoryRows = pick(rows, ['rssMiB', 'pssMiB']);
  const wrk = commands.slice(-1);
  return {
    id: 'memory',
    title: `6. Memory with 1 and with ${options.routes.toLocaleString('en-US')} routes`,
    description: `RSS and PSS summed over the proxy's processes (one process for the --workers rows), sampled right after each ${plan.run.seconds} s load run.`,
    metrics: MEMORY_METRICS,
    rows: [...memoryRows, ...split.rows],
    ratios: gatehouseRatios(memoryRows),
    commands: [...commands.slice(0, -1), ...proxyCommands(split.targets), ...wrk],
    notes: [
      ...plan.notes,
      'RSS summed over a master and its workers counts pages they share (forked copy-on-write) once per process; PSS splits shared pages between the processes that map them, so its sum counts them once.',
      ...(split.targets.length > 0 ? [workerRowsNote(ctx.cpus.proxy.length)] : []),
    ],
  };
}

/** Runs the shared rounds and returns the results of the scenarios asked for (routes, memory or both). */
export function routingTable(
  env: ScenarioEnv,
  want: { routes: boolean; memory: boolean },
): Promise<ScenarioResult[]> {
  const { ctx, options } = env;
  const kinds = options.proxies.filter((k) => ROUTING_PROXIES.includes(k));
  const notes: string[] = [];
  for (const k of options.proxies.filter((p) => !ROUTING_PROXIES.includes(p))) {
    notes.push(`${k}: not run: ${k === 'direct' ? 'the backend has no routes' : 'it has no router'}`);
  }
  const routeSets: RouteSet[] = [{ kind: 'catch-all' }, { kind: 'many', count: options.routes }];
  const script = join(ctx.workDir, 'spread-routes.lua');
  writeFileSync(script, spreadRoutesLua(options.routes));
  // Memory alone needs only a warm-up load before each sample.
  const seconds = want.routes ? options.duration : Math.min(options.duration, 5);
  const run: Omit<WrkRun, 'port'> = { connections: 64, threads: ctx.cpus.load.length, seconds, script };
  const plan: Plan = { env, run, notes };
  const splitWanted = want.memory && kinds.includes('gatehouse');
  return withTargets(env, kinds, routeSets, notes, (targets) =>
    withWorkerTargets(ctx, splitWanted, routeSets, notes, env.log, async (split) => {
      const measure = (t: Target) => measureLoaded(plan, t, split);
      const samples = await interleave([...targets, ...split], options.rounds, measure, env.log, notes);
      const rows = rowsFrom(targets, samples);
      addRatioToOneRoute(rows, samples, targets);
      const commands = [...proxyCommands(targets), wrkCommand(ctx, run)];
      const results: ScenarioResult[] = [];
      if (want.routes) results.push(routesResult(plan, rows, commands));
      const splitRows = { targets: split, rows: workerRows(split, samples) };
      if (want.memory) results.push(memoryResult(plan, rows, commands, splitRows));
      return results;
    }),
  );
}
