// Starting the backend and each proxy under test with a given RouteSet: write its configuration into
// a scratch directory, start it pinned to the proxy CPUs, wait until it routes. A running proxy
// exposes the pids whose CPU time and memory are measured, and, where the proxy can change its
// routes without a restart of the process, `applyChange` for the route change scenario.

import { type ChildProcess, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { changeRouteFile, gatehouseFiles } from './configs/gatehouse.js';
import { haproxyConfig, routeMap } from './configs/haproxy.js';
import { backendConfig, proxyConfig } from './configs/nginx.js';
import { probeFor, type RouteSet } from './configs/routes.js';
import type { CpuPlan } from './machine.js';
import { displayCommand, freePort, sleep, startPinned, stopProcess, waitForStatus } from './procs.js';

export type ProxyKind = 'gatehouse' | 'haproxy' | 'nginx' | 'node-http-proxy' | 'direct';

export interface BenchContext {
  repoRoot: string;
  workDir: string;
  cpus: CpuPlan;
  backendPort: number;
  fdLimit: number;
  gatehouse: GatehouseCli;
}

export interface GatehouseCli {
  main: string;
  /** Why `serve` cannot be used, when it cannot. */
  unavailable?: string;
  /** Long flags `serve --help` lists. */
  flags: Set<string>;
}

export interface RunningProxy {
  kind: ProxyKind;
  port: number;
  /** Root pids whose process trees are measured; empty for the direct (no proxy) target. */
  roots: number[];
  /** The command that started it, with paths relative to the repository. */
  command: string;
  /** Moves the changing route to `/change-<generation>`; resolves right after the save/reload signal. */
  applyChange?: (generation: number) => Promise<void>;
  /** Waits, untimed, until the proxy can take the next change (HAProxy: its master finished reloading). */
  settle?: () => Promise<void>;
  stop(): Promise<void>;
}

export interface ProxyRunner {
  kind: ProxyKind;
  /** Why it cannot run this RouteSet here, or undefined when it can. */
  skipReason(ctx: BenchContext, routes: RouteSet): string | undefined;
  start(ctx: BenchContext, routes: RouteSet, instance: string): Promise<RunningProxy>;
}

const READY_TIMEOUT_MS = 180_000;

function instanceDir(ctx: BenchContext, instance: string): string {
  const dir = join(ctx.workDir, instance);
  mkdirSync(dir, { recursive: true });
  return dir;
}

interface LaunchSpec {
  kind: ProxyKind;
  routes: RouteSet;
  dir: string;
  port: number;
  command: string;
  args: string[];
  /** Polled for 200 before the route probe (Gatehouse's admin /readyz). */
  readyz?: { port: number; path: string };
}

async function launch(
  ctx: BenchContext,
  spec: LaunchSpec,
): Promise<{ child: ChildProcess; running: RunningProxy }> {
  const child = startPinned(spec.command, spec.args, {
    cpus: ctx.cpus.proxy,
    logFile: join(spec.dir, 'output.log'),
  });
  const running: RunningProxy = {
    kind: spec.kind,
    port: spec.port,
    roots: child.pid === undefined ? [] : [child.pid],
    command: displayCommand(ctx.repoRoot, ctx.cpus.proxy, spec.command, spec.args),
    stop: () => stopProcess(child),
  };
  try {
    const wait = { child, timeoutMs: READY_TIMEOUT_MS };
    if (spec.readyz) await waitForStatus(spec.readyz.port, spec.readyz.path, wait);
    const probe = probeFor(spec.routes);
    await waitForStatus(spec.port, probe.path, { ...wait, host: probe.host });
  } catch (err) {
    await running.stop();
    const log = relative(ctx.repoRoot, join(spec.dir, 'output.log'));
    throw new Error(`${spec.kind} did not become ready (see ${log}): ${err}`);
  }
  return { child, running };
}

export async function startBackend(ctx: Omit<BenchContext, 'backendPort'>): Promise<RunningProxy> {
  const dir = instanceDir(ctx as BenchContext, 'backend');
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, backendConfig({ dir, port, workers: ctx.cpus.load.length, fdLimit: ctx.fdLimit }));
  const args = ['-e', join(dir, 'error.log'), '-c', conf];
  const child = startPinned('nginx', args, { cpus: ctx.cpus.load, logFile: join(dir, 'output.log') });
  await waitForStatus(port, '/', { child });
  return {
    kind: 'direct',
    port,
    roots: [],
    command: displayCommand(ctx.repoRoot, ctx.cpus.load, 'nginx', args),
    stop: () => stopProcess(child),
  };
}

/** Rewrites a config file and signals the master to reload it (nginx: HUP, HAProxy -W: USR2). */
function reloader(child: ChildProcess, file: string, signal: NodeJS.Signals, render: (g: number) => string) {
  return async (generation: number) => {
    writeFileSync(file, render(generation));
    if (child.pid !== undefined) process.kill(child.pid, signal);
  };
}

const haproxy: ProxyRunner = {
  kind: 'haproxy',
  skipReason: () => undefined,
  async start(ctx, routes, instance) {
    const dir = instanceDir(ctx, instance);
    const port = await freePort();
    const mapFile = join(dir, 'routes.map');
    if (routes.kind === 'many') writeFileSync(mapFile, routeMap(routes.count));
    const base = {
      port,
      backendPort: ctx.backendPort,
      threads: ctx.cpus.proxy.length,
      maxconn: Math.floor(ctx.fdLimit / 2) - 100,
      mapFile,
    };
    const cfg = join(dir, 'haproxy.cfg');
    writeFileSync(cfg, haproxyConfig(base, routes));
    const args = ['-W', '-db', '-f', cfg];
    const { child, running } = await launch(ctx, {
      kind: 'haproxy',
      routes,
      dir,
      port,
      command: 'haproxy',
      args,
    });
    if (routes.kind === 'change') {
      running.applyChange = reloader(child, cfg, 'SIGUSR2', (generation) =>
        haproxyConfig(base, { kind: 'change', generation }),
      );
      // HAProxy 2.6's master loses a SIGUSR2 that arrives while the former worker is still
      // exiting (every other change was lost), so wait until the log says the former worker exited.
      let reloads = 0;
      running.settle = async () => {
        reloads++;
        await waitForLogCount(join(dir, 'output.log'), 'Former worker', reloads, 10_000);
      };
    }
    return running;
  },
};

/** Polls a log file until `needle` occurs `count` times (or `timeoutMs` passes). */
async function waitForLogCount(
  file: string,
  needle: string,
  count: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (text.split(needle).length - 1 >= count) return;
    await sleep(5);
  }
}

const nginx: ProxyRunner = {
  kind: 'nginx',
  skipReason: () => undefined,
  async start(ctx, routes, instance) {
    const dir = instanceDir(ctx, instance);
    const port = await freePort();
    const base = { dir, port, workers: ctx.cpus.proxy.length, fdLimit: ctx.fdLimit };
    const conf = join(dir, 'nginx.conf');
    writeFileSync(conf, proxyConfig(base, ctx.backendPort, routes));
    const args = ['-e', join(dir, 'error.log'), '-c', conf];
    const { child, running } = await launch(ctx, {
      kind: 'nginx',
      routes,
      dir,
      port,
      command: 'nginx',
      args,
    });
    if (routes.kind === 'change') {
      running.applyChange = reloader(child, conf, 'SIGHUP', (generation) =>
        proxyConfig(base, ctx.backendPort, { kind: 'change', generation }),
      );
    }
    return running;
  },
};

const nodeHttpProxy: ProxyRunner = {
  kind: 'node-http-proxy',
  skipReason: (_ctx, routes) =>
    routes.kind === 'catch-all' ? undefined : 'node-http-proxy has no router: one upstream for every request',
  async start(ctx, routes, instance) {
    const dir = instanceDir(ctx, instance);
    const port = await freePort();
    const script = join(ctx.repoRoot, 'dist', 'bench', 'node-http-proxy.js');
    const args = [script, String(port), String(ctx.backendPort), String(ctx.cpus.proxy.length)];
    const { running } = await launch(ctx, {
      kind: 'node-http-proxy',
      routes,
      dir,
      port,
      command: 'node',
      args,
    });
    return running;
  },
};

/** The backend itself, without a proxy: the ceiling of what the load generator and backend reach. */
const direct: ProxyRunner = {
  kind: 'direct',
  skipReason: (_ctx, routes) => (routes.kind === 'catch-all' ? undefined : 'the backend has no routes'),
  async start(ctx) {
    return { kind: 'direct', port: ctx.backendPort, roots: [], command: '(no proxy)', stop: async () => {} };
  },
};

const gatehouse: ProxyRunner = {
  kind: 'gatehouse',
  skipReason: (ctx) => ctx.gatehouse.unavailable,
  start: (ctx, routes, instance) => startGatehouse(ctx, routes, instance, ctx.cpus.proxy.length),
};

/** Starts `gatehouse serve` on the RouteSet with `workers` processes (when `serve` has `--workers`). */
export async function startGatehouse(
  ctx: BenchContext,
  routes: RouteSet,
  instance: string,
  workers: number,
): Promise<RunningProxy> {
  const dir = instanceDir(ctx, instance);
  const configDir = join(dir, 'config');
  mkdirSync(configDir, { recursive: true });
  const port = await freePort();
  for (const file of gatehouseFiles(port, ctx.backendPort, routes)) {
    writeFileSync(join(configDir, file.name), file.text);
  }
  const admin = await freePort();
  const args = [ctx.gatehouse.main, 'serve', '-f', configDir, ...gatehouseFlags(ctx, admin, workers)];
  const readyz = ctx.gatehouse.flags.has('--admin-address') ? { port: admin, path: '/readyz' } : undefined;
  const spec = { kind: 'gatehouse' as const, routes, dir, port, command: 'node', args, readyz };
  const { running } = await launch(ctx, spec);
  if (routes.kind === 'change') {
    running.applyChange = async (generation) => {
      // Written beside the watched directory, then renamed in: the watcher sees one complete file.
      const file = changeRouteFile(generation);
      const temp = join(dir, `${file.name}.tmp`);
      writeFileSync(temp, file.text);
      renameSync(temp, join(configDir, file.name));
    };
  }
  return running;
}

/** The optional flags `serve` gets, each only when its `--help` lists it. */
export function gatehouseFlags(
  ctx: Pick<BenchContext, 'gatehouse' | 'cpus'>,
  adminPort: number,
  workers = ctx.cpus.proxy.length,
): string[] {
  const has = (flag: string) => ctx.gatehouse.flags.has(flag);
  const out: string[] = [];
  if (has('--admin-address')) out.push('--admin-address', `127.0.0.1:${adminPort}`);
  if (has('--log-level')) out.push('--log-level', 'warn');
  if (has('--access-log')) out.push('--access-log', 'off');
  if (has('--workers')) out.push('--workers', String(workers));
  // HAProxy and nginx get 300 s too (configs/): idle client connections stay open alike
  if (has('--keep-alive-timeout')) out.push('--keep-alive-timeout', '300s');
  return out;
}

export const RUNNERS: Record<ProxyKind, ProxyRunner> = {
  gatehouse,
  haproxy,
  nginx,
  'node-http-proxy': nodeHttpProxy,
  direct,
};

/** Finds out whether `node <main> serve` exists here and which flags it takes. */
export function detectGatehouse(main: string, repoRoot: string): GatehouseCli {
  const shown = relative(repoRoot, main);
  if (!existsSync(main)) {
    return { main, flags: new Set(), unavailable: `gatehouse serve not available (${shown} is not built)` };
  }
  const res = spawnSync('node', [main, 'serve', '--help'], { encoding: 'utf8', timeout: 30_000 });
  if (res.status !== 0) {
    const why = (res.stderr || res.stdout || '').trim().split('\n')[0] ?? '';
    return {
      main,
      flags: new Set(),
      unavailable: `gatehouse serve not available (${why || `exit ${res.status}`})`,
    };
  }
  return { main, flags: new Set(res.stdout.match(/--[a-z][a-z-]*/g) ?? []) };
}
