// `npm run bench`: Gatehouse side by side with HAProxy, nginx and node-http-proxy on this machine.
// Installs the tools it lacks, starts the nginx backend, runs the chosen scenarios, writes the
// results, and stops every process it started, also on Ctrl-C, SIGTERM or an error.

import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommanderError } from 'commander';
import { compileLoadgen } from './loadgen.js';
import { ensureTools, hardFdLimit, machineInfo, pinSelf, planCpus } from './machine.js';
import { type BenchOptions, parseOptions } from './options.js';
import { killAllNow, shutdown, stopAll } from './procs.js';
import { type BenchContext, detectGatehouse, startBackend } from './proxies.js';
import { type BenchReport, writeResults } from './report.js';
import type { ScenarioResult } from './rounds.js';
import { routeChange } from './route-change.js';
import { fixedRate, keepAlive, manyConnections, type ScenarioEnv } from './scenarios-load.js';
import { routingTable } from './scenarios-routes.js';

// dist/bench/main.js → the repository root is two levels up
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const log = (line: string) => process.stdout.write(`${line}\n`);

async function runScenarios(env: ScenarioEnv): Promise<ScenarioResult[]> {
  const wanted = new Set(env.options.scenarios);
  const results: ScenarioResult[] = [];
  const step = async (title: string, run: () => Promise<ScenarioResult | ScenarioResult[]>) => {
    log(`\n== ${title}`);
    const out = await run();
    results.push(...(Array.isArray(out) ? out : [out]));
  };
  if (wanted.has('keepalive')) await step('1. keep-alive, 64 connections', () => keepAlive(env));
  if (wanted.has('fixed-rate')) await step(`2. fixed rate ${env.options.rate}/s`, () => fixedRate(env));
  if (wanted.has('routes') || wanted.has('memory')) {
    const want = { routes: wanted.has('routes'), memory: wanted.has('memory') };
    await step('3/6. routing table size and memory', () => routingTable(env, want));
  }
  if (wanted.has('route-change')) await step('4. route change under load', () => routeChange(env));
  if (wanted.has('connections')) await step('5. 1,000 connections', () => manyConnections(env));
  const order = ['keepalive', 'fixed-rate', 'routes', 'route-change', 'connections', 'memory'];
  return results.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
}

function settings(options: BenchOptions, ctx: BenchContext): Record<string, string | number> {
  return {
    rounds: options.rounds,
    'seconds per run': options.duration,
    'fixed rate (requests/s)': options.rate,
    routes: options.routes,
    'route changes': options.changes,
    'workers per proxy': ctx.cpus.proxy.length,
    'open-file limit': ctx.fdLimit,
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  ensureTools(log);
  const machine = machineInfo(); // before pinning: the core count follows this process's affinity
  const cpus = planCpus(machine.cores);
  if (cpus.warning) log(`warning: ${cpus.warning}`);
  pinSelf(cpus.load);
  const workDir = join(repoRoot, 'bench', '.work');
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const gatehouse = detectGatehouse(
    resolve(options.gatehouse ?? join(repoRoot, 'dist', 'src', 'cli', 'main.js')),
    repoRoot,
  );
  if (gatehouse.unavailable) log(gatehouse.unavailable);
  const notes: string[] = [];
  if (gatehouse.unavailable) notes.push(gatehouse.unavailable);
  else if (!gatehouse.flags.has('--workers') && cpus.proxy.length > 1) {
    notes.push(
      `gatehouse serve has no --workers flag: it ran one process against ${cpus.proxy.length} workers`,
    );
  }
  const base = { repoRoot, workDir, cpus, fdLimit: hardFdLimit(), gatehouse };
  const backend = await startBackend(base);
  const ctx: BenchContext = { ...base, backendPort: backend.port };
  const loadgen = compileLoadgen(join(repoRoot, 'bench'), workDir);
  const scenarios = await runScenarios({ ctx, options, log, loadgen });
  const report: BenchReport = {
    date: new Date().toISOString().slice(0, 10),
    quick: options.quick,
    machine,
    cpus: { proxy: cpus.proxy, load: cpus.load },
    settings: settings(options, ctx),
    commands: [`${backend.command}   # backend: 2-byte 200, keep-alive`],
    notes,
    scenarios,
  };
  const written = writeResults(report, resolve(repoRoot, options.out));
  log(`\nwrote ${written.markdown}\nwrote ${written.json}`);
}

process.once('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`\n${signal}: stopping every process the bench started`);
    void shutdown().finally(() => process.exit(130));
  });
}

main()
  .catch((err: unknown) => {
    // Commander has already printed the help or the usage error; its exit code says which.
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    process.stderr.write(
      `bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 1;
  })
  .finally(() => stopAll());
