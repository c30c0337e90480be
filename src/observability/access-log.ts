// Access logs: one JSON line per completed request, an observer of the data plane. Lines are
// serialized by pino and written through an asynchronous SonicBoom destination (no write(2) on
// the request path): for stdout the one the process logger uses (see logger.ts), else a file
// opened for appending, which `close()` flushes and closes. Fields that do not apply to a
// request (no route matched, nothing sent upstream) are left out.

import { openSync } from 'node:fs';
import { type DestinationStream, type Logger as PinoLogger, pino } from 'pino';
import type {
  ConnectionEvent,
  ConnectionInfo,
  DataPlaneObserver,
  ExchangeRecord,
} from '../dataplane/types.js';
import { stdoutDestination } from './logger.js';

/** `off`, `stdout`, or a file path (appended to). */
export type AccessLogTarget = string;

/** pino.destination() returns a SonicBoom; only what we use of it. */
type Destination = DestinationStream & {
  end(): void;
  once(event: 'close', listener: () => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
};

export interface AccessLogLine {
  time: string;
  gateway: string;
  listener?: string;
  route?: string;
  rule?: number;
  backend?: string;
  method: string;
  authority: string;
  path: string;
  protocol: string;
  status: number;
  bytesIn: number;
  bytesOut: number;
  durationMs: number;
  upstreamMs?: number;
  upstreamAddress?: string;
  requestId: string;
  error?: string;
  rejection?: string;
}

export class AccessLog implements DataPlaneObserver {
  private readonly logger: PinoLogger;

  private constructor(
    private readonly destination: Destination,
    /** The shared stdout writer is flushed by pino at exit, never closed here. */
    private readonly shared: boolean,
    onError: (err: Error) => void,
  ) {
    if (!shared) destination.on('error', onError);
    // Every access line is an info line: the level slot carries the component instead.
    this.logger = pino(
      { base: undefined, timestamp: false, formatters: { level: () => ({ component: 'access' }) } },
      destination,
    );
  }

  /**
   * An access log writing to stdout or appending to a file; undefined for `off`. A file that
   * cannot be opened throws here, at startup, rather than failing later.
   */
  static open(target: AccessLogTarget, onError: (err: Error) => void): AccessLog | undefined {
    if (target === 'off') return undefined;
    if (target === 'stdout')
      return new AccessLog(stdoutDestination() as unknown as Destination, true, onError);
    const fd = openSync(target, 'a');
    return new AccessLog(pino.destination({ dest: fd, sync: false }) as Destination, false, onError);
  }

  onExchange(record: ExchangeRecord): void {
    this.logger.info(accessLogLine(record));
  }

  onConnection(_event: ConnectionEvent, _connection: ConnectionInfo): void {}

  /** Flushes and closes a file; the log takes no more lines afterwards. */
  close(): Promise<void> {
    if (this.shared) return Promise.resolve();
    return new Promise((resolve) => {
      this.destination.once('close', resolve);
      this.destination.end();
    });
  }
}

/** The last formatted time: requests arriving in the same millisecond share it. */
let lastTime = -1;
let lastTimeText = '';

/** ISO 8601 time; Date#toISOString costs about ten times a cache hit. */
function isoTime(epochMs: number): string {
  if (epochMs !== lastTime) {
    lastTime = epochMs;
    lastTimeText = new Date(epochMs).toISOString();
  }
  return lastTimeText;
}

export function accessLogLine(r: ExchangeRecord): AccessLogLine {
  const line: AccessLogLine = {
    time: isoTime(r.startTime),
    gateway: r.gateway,
    method: r.method,
    authority: r.authority,
    path: r.path,
    protocol: r.protocol,
    status: r.status,
    bytesIn: r.bytesIn,
    bytesOut: r.bytesOut,
    durationMs: round(r.durationMs),
    requestId: r.requestId,
  };
  if (r.listener !== '') line.listener = r.listener;
  if (r.route !== '') {
    line.route = r.route;
    line.rule = r.rule;
  }
  if (r.backend !== '') line.backend = r.backend;
  if (r.upstreamMs >= 0) line.upstreamMs = round(r.upstreamMs);
  if (r.upstreamAddress !== '') line.upstreamAddress = r.upstreamAddress;
  if (r.errorKind !== '') line.error = r.errorKind;
  if (r.rejection !== '') line.rejection = r.rejection;
  return line;
}

/** Microsecond precision is plenty for a log line. */
function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
