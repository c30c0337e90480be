// The data-plane rows of the memory scenario (6). With `--workers 1` Gatehouse is one process holding
// control plane and data plane; with `--workers 2` the primary holds the control plane (provider,
// translator, status) and each worker process only the data plane. These targets run Gatehouse with
// `--workers 2` on the same CPUs and load as the others, and report the largest worker's memory and
// the primary's memory as two separate rows.

import type { RouteSet } from './configs/routes.js';
import { routeSetLabel } from './configs/routes.js';
import { largestByRss, type ProcessMemory, primaryAndWorkers } from './proc-stat.js';
import { type BenchContext, startGatehouse } from './proxies.js';
import { type Log, type Sample, type ScenarioRow, stopTargets, type Target } from './rounds.js';
import { spreadsOf } from './stats.js';

export const DATA_PLANE_WORKERS = 2;
const WORKERS_FLAG = `--workers ${DATA_PLANE_WORKERS}`;
const MIB = 1024 * 1024;

/** The note under the memory table that says what the `--workers 2` rows are. */
export function workerRowsNote(proxyCpus: number): string {
  const plain =
    proxyCpus === 1
      ? 'one process holding both planes'
      : `a primary and ${proxyCpus} data-plane workers, summed`;
  return (
    `"gatehouse worker, ${WORKERS_FLAG}" and "gatehouse primary, ${WORKERS_FLAG}": one more Gatehouse, started with ${WORKERS_FLAG} ` +
    'on the same CPUs and given the same load. The worker row is the data-plane worker with the largest RSS (its own RSS and PSS, not a sum); ' +
    'the primary row is the primary process alone (control plane: file provider, translator, status). ' +
    `The plain "gatehouse" rows run --workers ${proxyCpus} (${plain}).`
  );
}

/** Starts Gatehouse with `--workers 2` per RouteSet; what cannot start is noted, not thrown. */
async function startWorkerTargets(
  ctx: BenchContext,
  routeSets: readonly RouteSet[],
  notes: string[],
  log: Log,
): Promise<Target[]> {
  if (ctx.gatehouse.unavailable || !ctx.gatehouse.flags.has('--workers')) {
    notes.push(
      `gatehouse ${WORKERS_FLAG}: not run: ${ctx.gatehouse.unavailable ?? 'serve has no --workers'}`,
    );
    return [];
  }
  const targets: Target[] = [];
  for (const routes of routeSets) {
    const variant = routeSetLabel(routes);
    const name = `gatehouse, ${WORKERS_FLAG} (${variant})`;
    try {
      log(`  starting ${name}`);
      const instance = `gatehouse-workers-${variant.replace(/\W+/g, '-')}-${Date.now().toString(36)}`;
      const proxy = await startGatehouse(ctx, routes, instance, DATA_PLANE_WORKERS);
      targets.push({ name, kind: 'gatehouse', variant, proxy });
    } catch (err) {
      notes.push(`${name}: failed to start: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return targets;
}

/** Starts the `--workers 2` targets when `wanted`, hands them to `body`, and always stops them. */
export async function withWorkerTargets<T>(
  ctx: BenchContext,
  wanted: boolean,
  routeSets: readonly RouteSet[],
  notes: string[],
  log: Log,
  body: (targets: Target[]) => Promise<T>,
): Promise<T> {
  const targets = wanted ? await startWorkerTargets(ctx, routeSets, notes, log) : [];
  try {
    return await body(targets);
  } finally {
    await stopTargets(targets);
  }
}

/** One round's figures of a `--workers` target: its primary and its largest worker, in MiB. */
export function splitSample(primary: ProcessMemory, workers: readonly ProcessMemory[]): Sample {
  const worker = largestByRss(workers);
  return {
    primaryRssMiB: primary.rss / MIB,
    primaryPssMiB: primary.pss / MIB,
    workerRssMiB: worker && worker.rss / MIB,
    workerPssMiB: worker && worker.pss / MIB,
    workers: workers.length,
  };
}

/** Reads the memory of a `--workers` target's primary (its root pid) and of its workers. */
export function measureSplit(target: Target): Sample {
  const root = target.proxy.roots[0];
  if (root === undefined) throw new Error(`${target.name} has no process to measure`);
  const { primary, workers } = primaryAndWorkers(root);
  if (workers.length !== DATA_PLANE_WORKERS) {
    throw new Error(`${target.name}: ${workers.length} worker processes, expected ${DATA_PLANE_WORKERS}`);
  }
  return splitSample(primary, workers);
}

/** Two memory rows per `--workers` target: the largest worker, then the primary. */
export function workerRows(targets: readonly Target[], samples: Map<string, Sample[]>): ScenarioRow[] {
  return targets.flatMap((t) => {
    const spreads = spreadsOf(samples.get(t.name) ?? []);
    const row = (role: string, rss: string, pss: string): ScenarioRow => {
      const figures: ScenarioRow['figures'] = {};
      if (spreads[rss]) figures.rssMiB = spreads[rss];
      if (spreads[pss]) figures.pssMiB = spreads[pss];
      return {
        target: `gatehouse ${role}, ${WORKERS_FLAG} (${t.variant})`,
        kind: t.kind,
        variant: t.variant,
        figures,
      };
    };
    return [row('worker', 'workerRssMiB', 'workerPssMiB'), row('primary', 'primaryRssMiB', 'primaryPssMiB')];
  });
}
