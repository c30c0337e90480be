// wrk: the Lua scripts the scenarios use, the command line, and a parser for wrk's text report
// (with `--latency`) plus the lines our Lua `done()` prints. Parsing is pure and tested on captured
// output; running goes through procs.ts so wrk is pinned and killed like everything else.

import { manyHost, manyPrefix } from './configs/routes.js';
import { runPinned } from './procs.js';

export interface WrkResult {
  requests: number;
  seconds: number;
  rps: number;
  /** Latency percentiles in milliseconds, from `--latency`. */
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: { connect: number; read: number; write: number; timeout: number };
  non2xx3xx: number;
  /** Responses outside 2xx counted by our Lua script (`bench-failures: N`), when it ran. */
  luaFailures?: number;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `1.52ms`, `312.11us`, `2.00s` → milliseconds. */
export function parseDurationMs(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m|h)$/.exec(text.trim());
  if (!match) return Number.NaN;
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

const SCALE: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9 };

function numberWithSuffix(text: string): number {
  const match = /^([\d.]+)([kMG]?)$/.exec(text);
  return match ? Number(match[1]) * SCALE[match[2]!]! : Number.NaN;
}

export function parseWrk(output: string): WrkResult {
  const grab = (re: RegExp) => re.exec(output);
  const total = grab(/^\s*(\d+) requests in ([\d.]+\w+),/m);
  const rps = grab(/^Requests\/sec:\s+([\d.]+\w?)/m);
  if (!total || !rps) throw new Error(`unrecognised wrk output:\n${output}`);
  const pct = (p: string) => parseDurationMs(grab(new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm'))?.[1] ?? '');
  const latencyLine = grab(/^\s+Latency\s+(\S+)\s+(\S+)\s+(\S+)/m);
  const socket = grab(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
  const non2xx = grab(/Non-2xx or 3xx responses: (\d+)/);
  const failures = grab(/^bench-failures: (\d+)$/m);
  return {
    requests: Number(total[1]),
    seconds: parseDurationMs(total[2]!) / 1000,
    rps: numberWithSuffix(rps[1]!),
    p50Ms: pct('50'),
    p90Ms: pct('90'),
    p99Ms: pct('99'),
    maxMs: latencyLine ? parseDurationMs(latencyLine[3]!) : Number.NaN,
    errors: {
      connect: Number(socket?.[1] ?? 0),
      read: Number(socket?.[2] ?? 0),
      write: Number(socket?.[3] ?? 0),
      timeout: Number(socket?.[4] ?? 0),
    },
    non2xx3xx: Number(non2xx?.[1] ?? 0),
    ...(failures ? { luaFailures: Number(failures[1]) } : {}),
  };
}

/** Socket errors other than timeouts, plus responses wrk counted as non-2xx/3xx. */
export function errorCount(result: WrkResult): number {
  const e = result.errors;
  return e.connect + e.read + e.write + result.non2xx3xx;
}

/**
 * Spreads requests over `count` routes: one request string per route, built once in init() and
 * visited in a fixed shuffled order, so the per-request Lua cost is a table lookup.
 */
export function spreadRoutesLua(count: number): string {
  return `-- generated: requests spread over ${count} routes (host ${manyHost(0)}, path ${manyPrefix(0)}item, ...)
local reqs = {}
local order = {}
local n = ${count}
local i = 0
function init(args)
  for r = 0, n - 1 do
    reqs[r + 1] = wrk.format("GET", "/r" .. r .. "/item", { Host = "r" .. r .. ".bench.test" })
    order[r + 1] = r + 1
  end
  local seed = 12345
  for k = n, 2, -1 do
    seed = (seed * 1103515245 + 12345) % 2147483648
    local j = seed % k + 1
    order[k], order[j] = order[j], order[k]
  end
end
function request()
  i = i % n + 1
  return reqs[order[i]]
end
`;
}

/** Counts every response outside 2xx and prints `bench-failures: N` when wrk ends. */
export function countFailuresLua(): string {
  return `-- generated: counts responses outside 2xx across threads
local threads = {}
function setup(thread) table.insert(threads, thread) end
failures = 0
function response(status, headers, body)
  if status < 200 or status > 299 then failures = failures + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("failures") end
  io.write("bench-failures: " .. total .. "\\n")
end
`;
}

export interface WrkRun {
  port: number;
  connections: number;
  threads: number;
  seconds: number;
  timeoutSeconds?: number;
  host?: string;
  path?: string;
  script?: string;
}

export function wrkArgs(run: WrkRun): string[] {
  const args = [`-t${run.threads}`, `-c${run.connections}`, `-d${run.seconds}s`, '--latency'];
  if (run.timeoutSeconds !== undefined) args.push('--timeout', `${run.timeoutSeconds}s`);
  if (run.host) args.push('-H', `Host: ${run.host}`);
  if (run.script) args.push('-s', run.script);
  args.push(`http://127.0.0.1:${run.port}${run.path ?? '/'}`);
  return args;
}

/** Runs wrk to its end; `onStart` receives the process (SIGINT stops it early with a report). */
export async function runWrk(
  run: WrkRun,
  cpus: readonly number[],
  onStart?: Parameters<typeof runPinned>[3],
): Promise<WrkResult> {
  const res = await runPinned('wrk', wrkArgs(run), cpus, onStart);
  if (res.code !== 0 && !/Requests\/sec/.test(res.stdout)) {
    throw new Error(`wrk exited with ${res.code}: ${res.stderr.trim() || res.stdout.trim()}`);
  }
  return parseWrk(res.stdout);
}
