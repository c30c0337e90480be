// Reading /proc for the benchmark: CPU time and resident memory of a process tree (a proxy's master
// and its workers). The parsers are pure so they can be tested on captured text; the readers walk
// /proc once per call, which is cheap next to a load run.

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface StatFields {
  pid: number;
  ppid: number;
  /** utime + stime + cutime + cstime, in clock ticks: the process, its threads and its reaped children. */
  ticks: number;
}

/** Parses /proc/<pid>/stat. The command name may hold spaces and parentheses, so split after the last ')'. */
export function parseStat(text: string): StatFields | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const pid = Number.parseInt(text, 10);
  // Fields after the name start at field 3 (state); utime is field 14, so index 11 of this slice.
  const rest = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const num = (i: number) => Number(rest[i]);
  const ppid = num(1);
  const ticks = num(11) + num(12) + num(13) + num(14);
  if (!Number.isFinite(pid) || !Number.isFinite(ppid) || !Number.isFinite(ticks)) return undefined;
  return { pid, ppid, ticks };
}

/** VmRSS from /proc/<pid>/status, in bytes (0 when absent, as for a zombie). */
export function parseRssBytes(statusText: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(statusText);
  return match ? Number(match[1]) * 1024 : 0;
}

/** Pss from /proc/<pid>/smaps_rollup, in bytes: pages shared between processes counted once overall. */
export function parsePssBytes(smapsRollup: string): number {
  const match = /^Pss:\s+(\d+)\s+kB/m.exec(smapsRollup);
  return match ? Number(match[1]) * 1024 : 0;
}

/** The pids of `root` and all its descendants, given every process's stat fields. */
export function treeOf(root: number, all: readonly StatFields[]): number[] {
  const children = new Map<number, number[]>();
  for (const p of all) {
    const list = children.get(p.ppid) ?? [];
    list.push(p.pid);
    children.set(p.ppid, list);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    if (!all.some((p) => p.pid === pid)) continue;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process exited between listing and reading
  }
}

function allStats(): StatFields[] {
  const out: StatFields[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const text = readText(`/proc/${name}/stat`);
    const fields = text === undefined ? undefined : parseStat(text);
    if (fields) out.push(fields);
  }
  return out;
}

/** Total clock ticks used so far by the trees rooted at `roots`. */
export function treeTicks(roots: readonly number[]): number {
  const all = allStats();
  const byPid = new Map(all.map((p) => [p.pid, p]));
  let total = 0;
  for (const root of roots) for (const pid of treeOf(root, all)) total += byPid.get(pid)?.ticks ?? 0;
  return total;
}

/** Memory of the trees rooted at `roots`, in bytes: VmRSS summed, and Pss summed. */
export function treeMemory(roots: readonly number[]): { rss: number; pss: number } {
  const all = allStats();
  let rss = 0;
  let pss = 0;
  for (const root of roots) {
    for (const pid of treeOf(root, all)) {
      rss += parseRssBytes(readText(`/proc/${pid}/status`) ?? '');
      pss += parsePssBytes(readText(`/proc/${pid}/smaps_rollup`) ?? '');
    }
  }
  return { rss, pss };
}

export interface ProcessMemory {
  pid: number;
  rss: number;
  pss: number;
}

function processMemory(pid: number): ProcessMemory {
  const rss = parseRssBytes(readText(`/proc/${pid}/status`) ?? '');
  return { pid, rss, pss: parsePssBytes(readText(`/proc/${pid}/smaps_rollup`) ?? '') };
}

/** Memory of `root` itself and, one by one, of its descendants (a primary and its workers), in bytes. */
export function primaryAndWorkers(root: number): { primary: ProcessMemory; workers: ProcessMemory[] } {
  const pids = treeOf(root, allStats());
  return { primary: processMemory(root), workers: pids.filter((p) => p !== root).map(processMemory) };
}

/** The process with the largest RSS, or undefined for none. */
export function largestByRss(processes: readonly ProcessMemory[]): ProcessMemory | undefined {
  return processes.reduce<ProcessMemory | undefined>(
    (big, p) => (big && big.rss >= p.rss ? big : p),
    undefined,
  );
}

let ticksPerSecond: number | undefined;

/** USER_HZ, the unit of the tick fields (almost always 100). */
export function clockTicksPerSecond(): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return ticksPerSecond;
}
