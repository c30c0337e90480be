// Test support for the file provider's tests: a temporary manifest directory, a logger whose
// JSON lines are captured, and a provider whose snapshots and log lines can be awaited as
// events (no sleeping). Not used by the provider itself.

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../observability/logger.js';
import type { ResourceSnapshot } from '../../resources/kinds.js';
import { FileProvider, type FileProviderOptions, type SnapshotInfo } from './provider.js';

export interface LogLine {
  level: number;
  msg: string;
  component?: string;
  file?: string;
  line?: number;
  column?: number;
  field?: string;
  [key: string]: unknown;
}

export interface Delivered {
  snapshot: ResourceSnapshot;
  info: SnapshotInfo;
  at: number;
}

type Waiter<T> = { match: (item: T) => boolean; resolve: (item: T) => void };

/** A queue of events that tests can await one by one or by predicate. */
class EventLog<T> {
  readonly all: T[] = [];
  private readonly waiters: Waiter<T>[] = [];
  private cursor = 0;

  push(item: T): void {
    this.all.push(item);
    for (const waiter of [...this.waiters]) {
      if (waiter.match(item)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(item);
      }
    }
  }

  /** The next event after the ones already taken. */
  next(timeoutMs = 3000): Promise<T> {
    const index = this.cursor++;
    if (index < this.all.length) return Promise.resolve(this.all[index]!);
    return this.wait((item) => this.all.indexOf(item) === index, timeoutMs);
  }

  /** The first event (already seen or future) matching `match`. */
  find(match: (item: T) => boolean, timeoutMs = 3000): Promise<T> {
    const seen = this.all.find(match);
    return seen ? Promise.resolve(seen) : this.wait(match, timeoutMs);
  }

  /** Skips the events seen so far: `next()` returns only later ones. */
  skipSeen(): void {
    this.cursor = this.all.length;
  }

  private wait(match: (item: T) => boolean, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching event within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.push({
        match,
        resolve: (item) => {
          clearTimeout(timer);
          resolve(item);
        },
      });
    });
  }
}

export class Harness {
  readonly snapshots = new EventLog<Delivered>();
  readonly logs = new EventLog<LogLine>();
  provider: FileProvider | undefined;

  private constructor(readonly dir: string) {}

  static async create(): Promise<Harness> {
    return new Harness(await mkdtemp(join(tmpdir(), 'gatehouse-file-provider-')));
  }

  path(relative: string): string {
    return join(this.dir, relative);
  }

  async write(relative: string, text: string): Promise<void> {
    await mkdir(dirname(this.path(relative)), { recursive: true });
    await writeFile(this.path(relative), text);
  }

  async start(paths: string[] = [this.dir], options: Partial<FileProviderOptions> = {}): Promise<void> {
    const logs = this.logs;
    const destination = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) logs.push(JSON.parse(line) as LogLine);
        done();
      },
    });
    this.provider = new FileProvider({
      paths,
      logger: createLogger({ level: 'debug', destination }),
      onSnapshot: (snapshot, info) => this.snapshots.push({ snapshot, info, at: performance.now() }),
      ...options,
    });
    await this.provider.start();
  }

  async close(): Promise<void> {
    await this.provider?.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}

export const gatewayYaml = (
  name: string,
  port = 8080,
  extra = '',
) => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: ${name}
  namespace: infra${extra}
spec:
  gatewayClassName: gatehouse
  listeners:
  - name: http
    port: ${port}
    protocol: HTTP
`;

export const serviceYaml = (name: string, port = 80) => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  ports:
  - name: http
    port: ${port}
`;
