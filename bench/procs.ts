// Every process the benchmark starts goes through here: pinned to its CPUs with `taskset`, with the
// open-file limit raised to the hard limit, in its own process group, and remembered so that
// `stopAll()` (also run on Ctrl-C, SIGTERM and errors) kills each group by its id and nothing else.

import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { relative } from 'node:path';

const live = new Set<ChildProcess>();
let shuttingDown = false;

function refuseDuringShutdown(command: string): void {
  if (shuttingDown) throw new Error(`not starting ${command}: the bench is stopping`);
}

export interface PinnedOptions {
  cpus: readonly number[];
  /** Where stdout and stderr go (appended); omitted: inherited stderr, ignored stdout. */
  logFile?: string;
  env?: NodeJS.ProcessEnv;
}

/** argv that runs `command` with the hard fd limit and the given CPU affinity, via exec (same pid). */
export function pinnedArgv(cpus: readonly number[], command: string, args: readonly string[]): string[] {
  const script = 'ulimit -n "$(ulimit -Hn)" && exec taskset -c "$0" "$@"';
  return ['sh', '-c', script, cpus.join(','), command, ...args];
}

/** Quotes an argument for display when the shell would split or expand it (`<port>` stays readable). */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./<>-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}

/** How a pinned command is shown in the report: `taskset -c 0 cmd args`, repository paths relative. */
export function displayCommand(
  repoRoot: string,
  cpus: readonly number[],
  command: string,
  args: readonly string[],
): string {
  const shown = [command, ...args].map((a) => (a.startsWith(`${repoRoot}/`) ? relative(repoRoot, a) : a));
  return ['taskset', '-c', cpus.join(','), ...shown].map(shellQuote).join(' ');
}

export function startPinned(command: string, args: readonly string[], options: PinnedOptions): ChildProcess {
  refuseDuringShutdown(command);
  const [sh, ...rest] = pinnedArgv(options.cpus, command, args);
  const log = options.logFile ? createWriteStream(options.logFile, { flags: 'a' }) : undefined;
  const child = spawn(sh!, rest, {
    detached: true,
    env: options.env ?? process.env,
    stdio: ['ignore', log ? 'pipe' : 'ignore', log ? 'pipe' : 'inherit'],
  });
  if (log) {
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
  }
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a bounded command (wrk, the load generator) to its end and returns its output. */
export function runPinned(
  command: string,
  args: readonly string[],
  cpus: readonly number[],
  onStart?: (child: ChildProcess) => void,
): Promise<Finished> {
  refuseDuringShutdown(command);
  const [sh, ...rest] = pinnedArgv(cpus, command, args);
  const child = spawn(sh!, rest, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  onStart?.(child);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      live.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** SIGTERM to the process group, SIGKILL after `graceMs` if it is still there. */
export async function stopProcess(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  signalGroup(child, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  // workers that outlived their master (same group) must not survive either
  if (child.pid !== undefined) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // group empty
    }
  }
}

export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((child) => stopProcess(child)));
}

/** Ctrl-C and SIGTERM: no new process from now on, and every running one stopped. */
export async function shutdown(): Promise<void> {
  shuttingDown = true;
  await stopAll();
}

/** Synchronous last resort for process 'exit': SIGKILL every group still alive. */
export function killAllNow(): void {
  for (const child of live) signalGroup(child, 'SIGKILL');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** One GET on a fresh connection; resolves with the status, or 0 on a connection error. */
export function httpStatus(port: number, path: string, host?: string, timeoutMs = 2000): Promise<number> {
  return new Promise((resolve) => {
    const headers = host ? { host } : {};
    const req = request(
      { host: '127.0.0.1', port, path, headers, agent: false, timeout: timeoutMs },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(0));
    req.end();
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls until `GET path` answers `want`, or throws after `timeoutMs`. */
export async function waitForStatus(
  port: number,
  path: string,
  options: { host?: string; want?: number; timeoutMs?: number; child?: ChildProcess } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const want = options.want ?? 200;
  let last = 0;
  while (Date.now() < deadline) {
    if (options.child && options.child.exitCode !== null) {
      throw new Error(`process exited with code ${options.child.exitCode} before answering on :${port}`);
    }
    last = await httpStatus(port, path, options.host);
    if (last === want) return;
    await sleep(50);
  }
  throw new Error(`127.0.0.1:${port}${path} did not answer ${want} in time (last: ${last || 'no answer'})`);
}
