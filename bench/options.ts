// Command-line options of `npm run bench`, with the defaults of a full run and of `--quick`.

import { Command, InvalidArgumentError } from 'commander';
import type { ProxyKind } from './proxies.js';

export const SCENARIO_IDS = [
  'keepalive',
  'fixed-rate',
  'routes',
  'route-change',
  'connections',
  'memory',
] as const;
export type ScenarioId = (typeof SCENARIO_IDS)[number];

export const PROXY_KINDS: readonly ProxyKind[] = [
  'gatehouse',
  'haproxy',
  'nginx',
  'node-http-proxy',
  'direct',
];

export interface BenchOptions {
  quick: boolean;
  rounds: number;
  /** Seconds per measured run. */
  duration: number;
  scenarios: ScenarioId[];
  proxies: ProxyKind[];
  /** Requests per second of the fixed-rate scenario. */
  rate: number;
  routes: number;
  changes: number;
  /** Path to Gatehouse's CLI entry (default: this checkout's dist/src/cli/main.js). */
  gatehouse?: string;
  /** Directory of the Markdown and JSON results. */
  out: string;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

/** `1,3` or `keepalive,routes` → scenario ids, in the canonical order. */
export function parseScenarios(value: string): ScenarioId[] {
  const wanted = new Set<ScenarioId>();
  for (const part of value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const byNumber = /^\d+$/.test(part) ? SCENARIO_IDS[Number(part) - 1] : undefined;
    const id = byNumber ?? SCENARIO_IDS.find((s) => s === part);
    if (!id) throw new InvalidArgumentError(`unknown scenario "${part}" (1-6 or ${SCENARIO_IDS.join(', ')})`);
    wanted.add(id);
  }
  return SCENARIO_IDS.filter((s) => wanted.has(s));
}

export function parseProxies(value: string): ProxyKind[] {
  const parts = value.split(',').map((p) => p.trim());
  for (const part of parts) {
    if (!PROXY_KINDS.includes(part as ProxyKind)) {
      throw new InvalidArgumentError(`unknown proxy "${part}" (${PROXY_KINDS.join(', ')})`);
    }
  }
  return PROXY_KINDS.filter((k) => parts.includes(k));
}

export function parseOptions(argv: readonly string[]): BenchOptions {
  const program = new Command('bench')
    .description('Gatehouse side by side with HAProxy, nginx and node-http-proxy')
    .option('--quick', 'short development run: 2 rounds of 3 s, 20 route changes')
    .option('--rounds <n>', 'interleaved rounds per scenario (default 5)', positiveInt)
    .option('--duration <seconds>', 'seconds per measured run (default 10)', positiveInt)
    .option('--scenarios <list>', `comma-separated: 1-6 or ${SCENARIO_IDS.join(', ')}`, parseScenarios)
    .option('--proxies <list>', `comma-separated subset of ${PROXY_KINDS.join(', ')}`, parseProxies)
    .option('--rate <rps>', 'request rate of the fixed-rate scenario', positiveInt, 5000)
    .option('--routes <n>', 'HTTPRoutes in the many-routes and memory scenarios', positiveInt, 10_000)
    .option('--changes <n>', 'route changes in the route change scenario (default 1000)', positiveInt)
    .option('--gatehouse <main.js>', "Gatehouse CLI entry (default: this checkout's dist/src/cli/main.js)")
    .option('--out <dir>', 'where results are written', 'bench/results')
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
  program.parse(argv, { from: 'user' });
  const o = program.opts<Record<string, unknown>>();
  const quick = o.quick === true;
  return {
    quick,
    rounds: (o.rounds as number | undefined) ?? (quick ? 2 : 5),
    duration: (o.duration as number | undefined) ?? (quick ? 3 : 10),
    scenarios: (o.scenarios as ScenarioId[] | undefined) ?? [...SCENARIO_IDS],
    proxies: (o.proxies as ProxyKind[] | undefined) ?? [...PROXY_KINDS],
    rate: o.rate as number,
    routes: o.routes as number,
    changes: (o.changes as number | undefined) ?? (quick ? 20 : 1000),
    ...(typeof o.gatehouse === 'string' ? { gatehouse: o.gatehouse } : {}),
    out: o.out as string,
  };
}
