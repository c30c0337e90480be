// The shape every scenario shares: start one target per (proxy, routing table), run interleaved
// rounds (A B C D A B C D ...) with a measurement per target per round, measure the proxy's CPU
// seconds around each run, and fold the rounds into a ScenarioResult with medians and ratios.

import { type RouteSet, routeSetLabel } from './configs/routes.js';
import { clockTicksPerSecond, treeTicks } from './proc-stat.js';
import { type BenchContext, type ProxyKind, RUNNERS, type RunningProxy } from './proxies.js';
import { ratio, type Spread, spreadsOf } from './stats.js';

export interface Target {
  /** `haproxy`, or `haproxy (10000 routes)` when a scenario has several routing tables. */
  name: string;
  kind: ProxyKind;
  variant: string;
  proxy: RunningProxy;
}

export interface MetricDef {
  key: string;
  label: string;
  /** Decimal places in the Markdown table. */
  digits: number;
}

export interface ScenarioRow {
  target: string;
  kind: ProxyKind;
  variant: string;
  figures: Record<string, Spread>;
}

export interface ScenarioResult {
  id: string;
  title: string;
  description: string;
  metrics: MetricDef[];
  rows: ScenarioRow[];
  /** Gatehouse's median ÷ the other target's median, by other target, then metric. */
  ratios: Record<string, Record<string, number>>;
  commands: string[];
  notes: string[];
}

export type Log = (line: string) => void;

/** Starts every (kind, routes) pair that can run; what cannot is skipped with a note, not an error. */
export async function startTargets(
  ctx: BenchContext,
  kinds: readonly ProxyKind[],
  routeSets: readonly RouteSet[],
  notes: string[],
  log: Log,
): Promise<Target[]> {
  const targets: Target[] = [];
  for (const routes of routeSets) {
    const variant = routeSetLabel(routes);
    for (const kind of kinds) {
      const name = routeSets.length > 1 ? `${kind} (${variant})` : kind;
      const reason = RUNNERS[kind].skipReason(ctx, routes);
      if (reason) {
        if (!notes.some((n) => n.endsWith(reason))) notes.push(`${name}: skipped: ${reason}`);
        continue;
      }
      try {
        const instance = `${kind}-${variant.replace(/\W+/g, '-')}-${Date.now().toString(36)}`;
        log(`  starting ${name}`);
        const proxy = await RUNNERS[kind].start(ctx, routes, instance);
        targets.push({ name, kind, variant, proxy });
      } catch (err) {
        notes.push(`${name}: failed to start: ${err instanceof Error ? err.message : String(err)}`);
        log(`  ${name} failed to start: ${err}`);
      }
    }
  }
  return targets;
}

export async function stopTargets(targets: readonly Target[]): Promise<void> {
  await Promise.all(targets.map((t) => t.proxy.stop()));
}

/** Runs `fn` and returns how many CPU seconds the proxy's process trees used meanwhile. */
export async function withCpu<T>(
  roots: readonly number[],
  fn: () => Promise<T>,
  ticksPerSecond = clockTicksPerSecond(),
): Promise<{ result: T; cpuSeconds: number | undefined }> {
  if (roots.length === 0) return { result: await fn(), cpuSeconds: undefined };
  const before = treeTicks(roots);
  const result = await fn();
  const after = treeTicks(roots);
  return { result, cpuSeconds: (after - before) / ticksPerSecond };
}

export type Sample = Record<string, number | undefined>;

/**
 * N rounds, each measuring every target once in the same order. A measurement that fails (a proxy
 * crashed, wrk could not connect) is noted and leaves that round's sample out; the others go on.
 */
export async function interleave(
  targets: readonly Target[],
  rounds: number,
  measure: (target: Target, round: number) => Promise<Sample>,
  log: Log,
  notes: string[],
): Promise<Map<string, Sample[]>> {
  const samples = new Map<string, Sample[]>(targets.map((t) => [t.name, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const target of targets) {
      try {
        const sample = await measure(target, round);
        samples.get(target.name)!.push(sample);
        log(`  round ${round}/${rounds} ${target.name}: ${formatSample(sample)}`);
      } catch (err) {
        const message = `${target.name}: round ${round} failed: ${err instanceof Error ? err.message : String(err)}`;
        notes.push(message);
        log(`  ${message}`);
      }
    }
  }
  return samples;
}

function formatSample(sample: Sample): string {
  return Object.entries(sample)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : (v as number).toFixed(2)}`)
    .join(' ');
}

export function rowsFrom(targets: readonly Target[], samples: Map<string, Sample[]>): ScenarioRow[] {
  return targets.map((t) => ({
    target: t.name,
    kind: t.kind,
    variant: t.variant,
    figures: spreadsOf(samples.get(t.name) ?? []),
  }));
}

/** Gatehouse ÷ each other target of the same variant, for every metric both have. */
export function gatehouseRatios(rows: readonly ScenarioRow[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const ours of rows.filter((r) => r.kind === 'gatehouse')) {
    for (const other of rows.filter((r) => r.kind !== 'gatehouse' && r.variant === ours.variant)) {
      const byMetric: Record<string, number> = {};
      for (const [metric, spread] of Object.entries(ours.figures)) {
        const value = ratio(spread.median, other.figures[metric]?.median);
        if (value !== undefined) byMetric[metric] = value;
      }
      if (Object.keys(byMetric).length > 0) out[other.target] = byMetric;
    }
  }
  return out;
}
