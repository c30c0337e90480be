// The fixed-rate load generator: compiles bench/loadgen.c with gcc into the scratch directory (once
// per run) and runs it pinned to the load CPUs. Debian's wrk is closed-loop only and h2load neither
// prints percentiles nor measures from the intended send time, hence a small C program of our own.

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { runPinned } from './procs.js';

export interface FixedRateResult {
  rate: number;
  /** Seconds measured, after `warmupSeconds` sent at the same rate and left out of the percentiles. */
  seconds: number;
  warmupSeconds: number;
  connections: number;
  /** Every request sent, the warm-up's included; so are completed, non2xx, errors and unanswered. */
  scheduled: number;
  completed: number;
  non2xx: number;
  errors: number;
  /** Scheduled requests without a complete answer when the run ended. */
  unanswered: number;
  /** Largest delay between a request's due time and its write: > 0 means it waited for a connection. */
  maxSendLagUs: number;
  /**
   * Latency from the due time over the measured seconds, in microseconds; -1 means that rank was a
   * failed or unanswered request.
   */
  p50Us: number;
  p90Us: number;
  p99Us: number;
  p999Us: number;
  maxUs: number;
}

const FIELDS = [
  'rate',
  'seconds',
  'warmupSeconds',
  'connections',
  'scheduled',
  'completed',
  'non2xx',
  'errors',
  'unanswered',
  'maxSendLagUs',
  'p50Us',
  'p90Us',
  'p99Us',
  'p999Us',
  'maxUs',
] as const;

export function parseLoadgen(output: string): FixedRateResult {
  const line = output.trim().split('\n').at(-1) ?? '';
  const parsed = JSON.parse(line) as Record<string, unknown>;
  const out: Record<string, number> = {};
  for (const field of FIELDS) {
    const value = parsed[field];
    if (typeof value !== 'number') throw new Error(`loadgen output lacks ${field}: ${line}`);
    out[field] = value;
  }
  return out as unknown as FixedRateResult;
}

/** Microseconds to milliseconds, keeping "did not complete" as Infinity. */
export function usToMs(us: number): number {
  return us < 0 ? Number.POSITIVE_INFINITY : us / 1000;
}

export function compileLoadgen(sourceDir: string, workDir: string): string {
  const binary = join(workDir, 'loadgen');
  execFileSync('gcc', ['-O2', '-Wall', '-o', binary, join(sourceDir, 'loadgen.c'), '-lm'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return binary;
}

export interface FixedRateRun {
  port: number;
  rate: number;
  seconds: number;
  connections: number;
  host: string;
  path: string;
  timeoutSeconds: number;
  warmupSeconds?: number;
}

export function loadgenArgs(run: FixedRateRun): string[] {
  const args = [run.port, run.rate, run.seconds, run.connections, run.host, run.path, run.timeoutSeconds];
  return [...args, ...(run.warmupSeconds ? [run.warmupSeconds] : [])].map(String);
}

export async function runLoadgen(
  binary: string,
  run: FixedRateRun,
  cpus: readonly number[],
): Promise<FixedRateResult> {
  const res = await runPinned(binary, loadgenArgs(run), cpus);
  if (res.code !== 0) throw new Error(`loadgen exited with ${res.code}: ${res.stderr.trim()}`);
  return parseLoadgen(res.stdout);
}
