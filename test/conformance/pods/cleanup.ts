/**
 * Making sure pod networks never outlive their test process. Every network's names carry the
 * owner's PID (`gh-pods-<pid>-<hex>` for the namespace, `ghp<pid>-<hex>` for the host veth), so
 * leftovers of a process that is gone can be recognised: `sweepStaleNetworks()` kills whatever
 * still runs in such a namespace and deletes it and its veth. Live networks register a synchronous
 * cleanup that runs on process exit and on SIGINT/SIGTERM/SIGHUP; a SIGKILL skips it, which is
 * what the sweep (and the pods' exit-on-stdin-EOF) is for.
 */
import { readFileSync } from 'node:fs';
import { ip, ipSyncQuiet } from './iproute.js';

export const NETNS_PREFIX = 'gh-pods-';
export const HOST_LINK_PREFIX = 'ghp';
const NETNS_NAME = /^gh-pods-(\d+)-([0-9a-f]+)$/;
const HOST_LINK_NAME = /^ghp(\d+)-([0-9a-f]+)$/;
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface ExitCleanup {
  cleanupSync(): void;
}

const live = new Set<ExitCleanup>();
let hooksInstalled = false;

function runAll(): void {
  for (const resource of [...live]) {
    live.delete(resource);
    resource.cleanupSync();
  }
}

function onSignal(signal: NodeJS.Signals): void {
  runAll();
  // Only this hook was listening: restore the default action (terminate) and re-deliver.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

/** Registers a cleanup to run at exit; returns the function that unregisters it. */
export function cleanUpAtExit(resource: ExitCleanup): () => void {
  if (!hooksInstalled) {
    hooksInstalled = true;
    process.on('exit', runAll);
    for (const signal of SIGNALS) process.once(signal, onSignal);
  }
  live.add(resource);
  return () => live.delete(resource);
}

/** Whether a process exists and is not a zombie (an exited child that nobody has reaped yet). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state …"; comm may contain spaces or parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Kills the processes inside a namespace, then deletes it and its host veth (synchronously). */
export function removeNetworkSync(netns: string, hostLink: string): void {
  for (const pid of ipSyncQuiet('netns', 'pids', netns).split(/\s+/).filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  ipSyncQuiet('link', 'del', hostLink);
  ipSyncQuiet('netns', 'del', netns);
}

/** Deletes every pod namespace and host veth whose owning process no longer exists. */
export async function sweepStaleNetworks(): Promise<string[]> {
  const swept: string[] = [];
  const namespaces = (await ip('netns', 'list')).split('\n').map((line) => line.split(' ')[0] ?? '');
  for (const name of namespaces) {
    const owner = NETNS_NAME.exec(name);
    if (!owner || isAlive(Number(owner[1]))) continue;
    removeNetworkSync(name, `${HOST_LINK_PREFIX}${owner[1]}-${owner[2]}`);
    swept.push(name);
  }
  const links = (await ip('-o', 'link', 'show'))
    .split('\n')
    .map((line) => line.split(/[:@]\s*/)[1]?.trim() ?? '');
  for (const name of links) {
    const owner = HOST_LINK_NAME.exec(name);
    if (!owner || isAlive(Number(owner[1]))) continue;
    ipSyncQuiet('link', 'del', name);
    swept.push(name);
  }
  return swept;
}
