// Running the real `gatehouse` CLI as a child process for end-to-end tests: spawn the built
// dist/src/cli/main.js with an admin endpoint on a free port, parse its JSON log lines as they
// arrive, let a test await a log line or an admin answer, and stop it (SIGTERM, then SIGKILL)
// so no process outlives its test. Also a temp-dir helper and a one-shot `translate` runner.

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { StatusUpdate } from '../../src/translator/types.js';
import { send } from '../fixtures/net.js';

export const CLI_MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
/** The repository root (dist/test/e2e → ../../..). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface LogLine {
  level: number;
  time: string;
  component?: string;
  msg: string;
  [field: string]: unknown;
}

export interface AdminReply {
  status: number;
  text: string;
  json<T = unknown>(): T;
}

export interface GatehouseProcess {
  readonly child: ChildProcess;
  readonly adminPort: number;
  readonly logs: LogLine[];
  /** Non-JSON output (stderr and anything unparsable on stdout). */
  readonly rawOutput: string[];
  /** The first log line (from index `since`, default 0, or future) that matches. */
  waitForLog(match: (line: LogLine) => boolean, what: string, options?: WaitOptions): Promise<LogLine>;
  admin(path: string): Promise<AdminReply>;
  statuses(): Promise<StatusUpdate[]>;
  /** SIGTERM, and SIGKILL if it has not exited within 5 s. */
  stop(): Promise<void>;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
}

export interface WaitOptions {
  timeoutMs?: number;
  /** Only lines at this index of `logs` or later (take `logs.length` before acting). */
  since?: number;
}

export interface StartOptions {
  /** Extra arguments for `node` itself (before the script). */
  nodeArgs?: string[];
  /** Wait for this log message before resolving (default: the admin endpoint listening). */
  ready?: (line: LogLine) => boolean;
  timeoutMs?: number;
}

/** Spawns `gatehouse <args>` with `--admin-address 127.0.0.1:0 --log-format json --drain-delay 0s`. */
export async function startGatehouse(args: string[], options: StartOptions = {}): Promise<GatehouseProcess> {
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeArgs ?? []),
      CLI_MAIN,
      ...args,
      '--admin-address',
      '127.0.0.1:0',
      '--log-format',
      'json',
      // stop() sends SIGTERM: no drain delay to wait through (nothing balances load here).
      '--drain-delay',
      '0s',
    ],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const logs: LogLine[] = [];
  const rawOutput: string[] = [];
  let waiters: { match: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let hasExited = false;
  // If the test process ends without stopping it (a crash, a failed hook), take the child along.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => {
    hasExited = true;
    process.off('exit', killOnExit);
  });

  createInterface({ input: child.stdout! }).on('line', (text) => {
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      rawOutput.push(text);
      return;
    }
    logs.push(line);
    waiters = waiters.filter((w) => {
      if (!w.match(line)) return true;
      w.resolve(line);
      return false;
    });
  });
  createInterface({ input: child.stderr! }).on('line', (text) => rawOutput.push(text));

  const waitForLog = (
    match: (l: LogLine) => boolean,
    what: string,
    { timeoutMs = 5000, since = 0 }: WaitOptions = {},
  ): Promise<LogLine> => {
    const past = logs.slice(since).find(match);
    if (past) return Promise.resolve(past);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters = waiters.filter((w) => w.resolve !== done);
        reject(new Error(`timed out waiting for log: ${what}\n${describeOutput(logs, rawOutput)}`));
      }, timeoutMs);
      const done = (l: LogLine) => {
        clearTimeout(timer);
        resolve(l);
      };
      waiters.push({ match, resolve: done });
      void exited.then((code) => {
        if (waiters.some((w) => w.resolve === done)) {
          clearTimeout(timer);
          reject(new Error(`gatehouse exited (${code}) before: ${what}\n${describeOutput(logs, rawOutput)}`));
        }
      });
    });
  };

  const stop = async () => {
    if (hasExited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  let adminPort: number;
  try {
    const listening = await waitForLog((l) => l.msg === 'admin endpoint listening', 'admin endpoint', {
      timeoutMs: options.timeoutMs ?? 10_000,
    });
    adminPort = Number(String(listening.address).split(':').pop());
    if (options.ready) await waitForLog(options.ready, 'ready', { timeoutMs: options.timeoutMs ?? 10_000 });
  } catch (err) {
    await stop();
    throw err;
  }

  const admin = async (path: string): Promise<AdminReply> => {
    const reply = await send(adminPort, { path });
    const text = reply.text();
    return { status: reply.status, text, json: <T>() => JSON.parse(text) as T };
  };
  return {
    child,
    adminPort,
    logs,
    rawOutput,
    waitForLog,
    admin,
    async statuses() {
      const reply = await admin('/status');
      assert.equal(reply.status, 200);
      return reply.json<{ statuses: StatusUpdate[] }>().statuses;
    },
    stop,
    exited,
  };
}

function describeOutput(logs: LogLine[], raw: string[]): string {
  const tail = logs.slice(-15).map((l) => JSON.stringify(l));
  return `last log lines:\n${[...tail, ...raw.slice(-10)].join('\n')}`;
}

/** A configuration has been applied (the pipeline's line for every generation). */
export const applied = (line: LogLine): boolean => line.msg === 'configuration applied';

export interface TempDir {
  path: string;
  file(...names: string[]): string;
  dispose(): Promise<void>;
}

export async function tempDir(prefix = 'gatehouse-e2e-'): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return {
    path,
    file: (...names) => join(path, ...names),
    dispose: () => rm(path, { recursive: true, force: true }),
  };
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion (e.g. `translate`), collecting its output. */
export async function runGatehouse(args: string[], nodeArgs: string[] = []): Promise<RunResult> {
  const child = spawn(process.execPath, [...nodeArgs, CLI_MAIN, ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

/** Polls `check` every 10 ms until it returns a value other than undefined. */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
