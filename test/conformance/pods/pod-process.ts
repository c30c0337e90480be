/**
 * One echo server process and its log, the way a kubelet would keep a container's: every stdout
 * and stderr line is stored with the time it arrived, so "logs since T" works as
 * `kubectl logs --since-time` does (the mirror tests read logs from a point in time). Starting
 * waits for the echo server's "listening" lines, so a started process is ready to serve.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

export interface LogEntry {
  time: Date;
  /** The same moment in epoch milliseconds with sub-millisecond precision. */
  at: number;
  stream: 'stdout' | 'stderr';
  line: string;
}

export interface ProcessSpec {
  command: string;
  args: string[];
  env: Record<string, string>;
  /** Whether the HTTPS listener is expected (its line is the last one to wait for). */
  expectHttps: boolean;
  readyTimeoutMs?: number;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ListeningPorts {
  http: number;
  h2c: number;
  https?: number;
}

const LISTENING = /^Starting server, listening on port (\d+) \((http|h2c|https)\)$/;
const DEFAULT_READY_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 2_000;
const DEFAULT_WAIT_MS = 5_000;

/** A point in time for log queries: a Date, or epoch milliseconds (fractions allowed). */
export type Since = Date | number;

/** The clock log entries are stamped with: epoch milliseconds with sub-millisecond precision. */
export function logClock(): number {
  return performance.timeOrigin + performance.now();
}

function sinceMillis(since: Since): number {
  return since instanceof Date ? since.getTime() : since;
}

function stamp(stream: LogEntry['stream'], line: string): LogEntry {
  const at = logClock();
  return { time: new Date(at), at, stream, line };
}

type LogWaiter = {
  matches(entry: LogEntry): boolean;
  resolve(entry: LogEntry): void;
  reject(error: Error): void;
};

export class EchoProcess {
  readonly ports: ListeningPorts = { http: 0, h2c: 0 };
  private readonly entries: LogEntry[] = [];
  private readonly waiters = new Set<LogWaiter>();
  private readonly exit: Promise<ExitStatus>;
  private exited = false;

  private constructor(private readonly child: ChildProcess) {
    this.capture('stdout');
    this.capture('stderr');
    // 'close' comes after the output pipes end, so the log is complete when it fires.
    this.exit = once(child, 'close').then(([code, signal]) => {
      this.exited = true;
      for (const waiter of this.waiters) waiter.reject(new Error(`the process exited:\n${this.logs()}`));
      this.waiters.clear();
      return { code, signal } as ExitStatus;
    });
    // A child that died closes its stdin pipe; writing to it must not crash the parent.
    child.stdin?.on('error', () => {});
  }

  /** Spawns the process and resolves once every expected listener is up. */
  static async start(spec: ProcessSpec): Promise<EchoProcess> {
    const child = spawn(spec.command, spec.args, { env: spec.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const echo = new EchoProcess(child);
    const lastListener = spec.expectHttps ? 'https' : 'h2c';
    try {
      await once(child, 'spawn');
      await echo.waitForLog(new RegExp(`^Starting server, listening on port \\d+ \\(${lastListener}\\)$`), {
        timeoutMs: spec.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
      });
    } catch (error) {
      echo.kill();
      throw new Error(`echo server did not start: ${error instanceof Error ? error.message : String(error)}`);
    }
    return echo;
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  get running(): boolean {
    return !this.exited;
  }

  /** Resolves when the process has exited and its output is fully read. */
  waitForExit(): Promise<ExitStatus> {
    return this.exit;
  }

  /**
   * The log lines at or after `since` (all when omitted), one per line, like `kubectl logs`.
   * `since` is a Date or epoch milliseconds; `logClock()` gives the sub-millisecond time entries use.
   */
  logs(since?: Since): string {
    return this.logEntries(since)
      .map((entry) => entry.line + '\n')
      .join('');
  }

  logEntries(since?: Since): LogEntry[] {
    return since === undefined
      ? [...this.entries]
      : this.entries.filter((entry) => entry.at >= sinceMillis(since));
  }

  /** Resolves with the first line (at or after `since`) that matches. */
  waitForLog(match: string | RegExp, options: { since?: Since; timeoutMs?: number } = {}): Promise<LogEntry> {
    const since = options.since;
    const matches = (entry: LogEntry) =>
      (since === undefined || entry.at >= sinceMillis(since)) &&
      (typeof match === 'string' ? entry.line.includes(match) : match.test(entry.line));
    const found = this.entries.find(matches);
    if (found) return Promise.resolve(found);
    if (this.exited) return Promise.reject(new Error(`the process has exited:\n${this.logs()}`));
    const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS;
    return new Promise((resolve, reject) => {
      const waiter: LogWaiter = {
        matches,
        resolve: (entry) => {
          clearTimeout(timer);
          resolve(entry);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`no log line matching ${String(match)} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** SIGTERM, then SIGKILL if the process has not exited within the grace period. */
  async stop(graceMs = STOP_GRACE_MS): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.kill(), graceMs);
    await this.exit;
    clearTimeout(timer);
  }

  /** Ends the process's stdin, which is what the death of its parent looks like to it. */
  closeStdin(): void {
    this.child.stdin?.end();
  }

  /** SIGKILL at once; safe to call from a synchronous exit handler. */
  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }

  private capture(stream: 'stdout' | 'stderr'): void {
    let partial = '';
    const source = this.child[stream];
    source?.setEncoding('utf8');
    source?.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) this.record(stamp(stream, line));
    });
    source?.on('end', () => {
      if (partial !== '') this.record(stamp(stream, partial));
    });
  }

  private record(entry: LogEntry): void {
    this.entries.push(entry);
    const listening = LISTENING.exec(entry.line);
    if (listening && entry.stream === 'stdout')
      this.ports[listening[2] as keyof ListeningPorts] = Number(listening[1]);
    for (const waiter of this.waiters) {
      if (!waiter.matches(entry)) continue;
      this.waiters.delete(waiter);
      waiter.resolve(entry);
    }
  }
}
