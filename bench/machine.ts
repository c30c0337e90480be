// The machine the benchmark runs on: which CPUs the proxies get and which the load generator and
// backend get, the tool versions for the report, and installing the Debian packages that are missing.

import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, release } from 'node:os';

export interface CpuPlan {
  /** CPUs every proxy under test is pinned to; also its number of workers. */
  proxy: number[];
  /** CPUs shared by the load generator and the backend (and this orchestrator). */
  load: number[];
  /** Set when the machine is too small for separate sets. */
  warning?: string;
}

/** Proxies get the first half of the CPUs (at least one); load and backend the rest. */
export function planCpus(cores: number): CpuPlan {
  if (cores < 2) {
    return { proxy: [0], load: [0], warning: 'one CPU only: proxy, backend and load share it' };
  }
  const proxyCount = Math.floor(cores / 2);
  const all = Array.from({ length: cores }, (_, i) => i);
  return { proxy: all.slice(0, proxyCount), load: all.slice(proxyCount) };
}

export function cpuCount(): number {
  return availableParallelism();
}

const PACKAGES: Record<string, string> = { haproxy: 'haproxy', nginx: 'nginx', wrk: 'wrk', gcc: 'gcc' };

function hasCommand(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** apt-get installs whatever of haproxy, nginx, wrk, gcc is missing; throws when that fails. */
export function ensureTools(log: (line: string) => void): void {
  const missing = Object.keys(PACKAGES).filter((c) => !hasCommand(c));
  if (missing.length === 0) return;
  const packages = missing.map((c) => PACKAGES[c]!);
  log(`installing with apt-get: ${packages.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (args: string[]) => {
    const res = spawnSync('apt-get', args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
    if (res.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${res.status})`);
  };
  run(['update', '-q']);
  run(['install', '-y', '-q', '--no-install-recommends', ...packages]);
  const still = missing.filter((c) => !hasCommand(c));
  if (still.length > 0) throw new Error(`still missing after apt-get: ${still.join(', ')}`);
}

function firstLine(command: string, args: string[]): string {
  try {
    const res = spawnSync(command, args, { encoding: 'utf8' });
    return `${res.stdout}${res.stderr}`.trim().split('\n')[0] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  kernel: string;
  node: string;
  haproxy: string;
  nginx: string;
  wrk: string;
  gcc: string;
}

export function machineInfo(): MachineInfo {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? 'unknown';
  return {
    cpuModel: model.trim(),
    cores: cpuCount(),
    kernel: release(),
    node: process.version,
    haproxy: firstLine('haproxy', ['-v']),
    nginx: firstLine('nginx', ['-v']),
    wrk: firstLine('wrk', ['-v']),
    gcc: firstLine('gcc', ['--version']),
  };
}

/** Pins this orchestrator to the load CPUs so its polling never steals the proxies' CPU. */
export function pinSelf(cpus: readonly number[]): void {
  execFileSync('taskset', ['-a', '-cp', cpus.join(','), String(process.pid)], { stdio: 'ignore' });
}

/** The hard open-file limit every started process raises its soft limit to. */
export function hardFdLimit(): number {
  const text = execFileSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim();
  return text === 'unlimited' ? 1_048_576 : Number(text);
}
