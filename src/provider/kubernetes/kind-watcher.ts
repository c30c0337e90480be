// One list+watch loop for one kind. It lists (paged), then watches from the list's
// resourceVersion with bookmarks, resumes from the last resourceVersion it saw whenever a stream
// ends, relists on 410 Gone (HTTP or ERROR event), on a resourceVersion the server finds too new
// (a restarted, emptied API server) and after repeated fruitless watch attempts, and backs off
// with jitter after every failure. Unlike client-node's ListWatch it never stops on an error. A kind
// marked optional whose CRD the server does not serve counts as listed and empty.

import { Agent } from 'node:http';
import { type KubeConfig, Watch } from '@kubernetes/client-node';
import type { Logger } from '../../observability/logger.js';
import type { KindInfo } from '../../resources/kinds.js';
import type { KubeObject } from '../../resources/types.js';
import { Backoff, sleep } from './backoff.js';
import { errorCode, type KubeRest, type KubeStatusBody, resourcePath } from './rest.js';
import { sanitize } from './sanitize.js';
import type { KindWatchStats } from './stats.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** Receives what a KindWatcher learns; objects are already sanitized. */
export interface KindWatcherSink {
  /** A complete list replaced everything known about the kind (initial list or relist). */
  replace(kind: string, objects: KubeObject[]): void;
  apply(kind: string, type: WatchEventType, object: KubeObject): void;
}

export interface WatchTimings {
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** A stream with no line (event or bookmark) for this long is closed and resumed. */
  idleTimeoutMs: number;
  /** Asked of the server; each stream gets a random value in [t, 2t). */
  serverTimeoutSeconds: number;
  pageSize: number;
  requestTimeoutMs: number;
  /** Consecutive watch attempts without progress after which the kind is relisted. */
  relistAfterFailures: number;
}

export const DEFAULT_WATCH_TIMINGS: WatchTimings = {
  backoffInitialMs: 200,
  backoffMaxMs: 30_000,
  idleTimeoutMs: 120_000,
  serverTimeoutSeconds: 300,
  pageSize: 500,
  requestTimeoutMs: 30_000,
  relistAfterFailures: 3,
};

export interface KindWatcherOptions {
  kubeConfig: KubeConfig;
  rest: KubeRest;
  info: KindInfo;
  sink: KindWatcherSink;
  stats: KindWatchStats;
  logger: Logger;
  timings: WatchTimings;
  random?: () => number;
}

interface KubeList {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: KubeObject[];
}

interface StreamResult {
  events: number;
  durationMs: number;
  /** The resume point is unusable: relist. */
  gone: boolean;
  idle: boolean;
  error?: unknown;
}

export class KindWatcher {
  private resourceVersion: string | undefined;
  private stopped = false;
  /** An optional kind found not served: reported once as empty until a list succeeds. */
  private absent = false;
  private readonly shutdown = new AbortController();
  private closeStream: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private readonly path: string;
  private readonly random: () => number;

  constructor(private readonly options: KindWatcherOptions) {
    this.path = resourcePath(options.info);
    this.random = options.random ?? Math.random;
  }

  /** The resourceVersion a new stream would resume from (undefined before the first list). */
  get resumeVersion(): string | undefined {
    return this.resourceVersion;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.shutdown.abort();
    this.closeStream?.();
    await this.loop;
  }

  /**
   * An optional kind the API server does not serve (its CRD is not installed) counts as listed
   * and empty, so the provider syncs without it; listing is retried with backoff, so objects
   * appear once the CRD is installed.
   */
  private reportAbsent(): void {
    if (this.absent) return;
    this.absent = true;
    this.options.logger.info(`${this.options.info.kind} is not served (CRD not installed): treated as empty`);
    this.options.sink.replace(this.options.info.kind, []);
  }

  private async run(): Promise<void> {
    const { timings } = this.options;
    const backoff = new Backoff(
      { initialMs: timings.backoffInitialMs, maxMs: timings.backoffMaxMs },
      this.random,
    );
    const minHealthyMs = Math.min(1000, timings.idleTimeoutMs);
    let failures = 0;
    while (!this.stopped) {
      const relist = this.resourceVersion === undefined || failures >= timings.relistAfterFailures;
      const ready = relist ? await this.list() : await this.checkHistory();
      if (ready === 'unknown') {
        await sleep(backoff.next(), this.shutdown.signal);
        continue;
      }
      if (ready === 'restarted') continue;
      if (relist) {
        backoff.reset();
        failures = 0;
      } else {
        this.options.stats.watchRestarts++;
      }
      const result = await this.stream(this.resourceVersion!);
      if (this.stopped) break;
      this.report(result);
      if (result.gone) this.resourceVersion = undefined;
      const progressed = result.events > 0 || result.durationMs >= minHealthyMs;
      failures = progressed ? 0 : failures + 1;
      if (progressed) backoff.reset();
      if (result.error !== undefined || !progressed) await sleep(backoff.next(), this.shutdown.signal);
    }
  }

  /** Lists every page; on success replaces the kind's contents and sets the resume point. */
  private async list(): Promise<'ready' | 'unknown'> {
    const { rest, info, timings, sink, stats, logger } = this.options;
    const items: KubeObject[] = [];
    let token: string | undefined;
    let version: string | undefined;
    try {
      do {
        const page = await rest.get<KubeList>(this.path, {
          query: { limit: timings.pageSize, continue: token },
          timeoutMs: timings.requestTimeoutMs,
          signal: this.shutdown.signal,
        });
        for (const item of page.items ?? []) items.push(sanitize(item, info));
        token = page.metadata?.continue || undefined;
        version = page.metadata?.resourceVersion;
      } while (token !== undefined && !this.stopped);
    } catch (err) {
      if (this.stopped) return 'unknown';
      stats.errors++;
      if (errorCode(err) === 404 && info.optional) {
        this.reportAbsent();
        return 'unknown';
      }
      const hint = errorCode(err) === 404 ? ' (is the CRD installed?)' : '';
      logger.warn({ err: describe(err) }, `list ${info.kind} failed${hint}`);
      return 'unknown';
    }
    this.absent = false;
    if (this.stopped || !version) return 'unknown';
    if (stats.lists > 0) stats.relists++;
    stats.lists++;
    sink.replace(info.kind, items);
    this.resourceVersion = version;
    logger.debug({ count: items.length, resourceVersion: version }, `listed ${info.kind}`);
    return 'ready';
  }

  /**
   * Before resuming, is our resume point still in the server's past? An API server that
   * came back with an empty store counts resourceVersions from the start again, and a watch from
   * a version it has not reached would silently wait for it, missing everything in between. A
   * one-item list tells the server's current version; behind ours means relist. (Versions are
   * compared only when both are integers, as etcd-backed servers issue them.) On 'restarted'
   * the resume point is cleared, so the next round relists.
   */
  private async checkHistory(): Promise<'ready' | 'restarted' | 'unknown'> {
    const { rest, timings, info, logger } = this.options;
    try {
      const page = await rest.get<KubeList>(this.path, {
        query: { limit: 1 },
        timeoutMs: timings.requestTimeoutMs,
        signal: this.shutdown.signal,
      });
      const current = page.metadata?.resourceVersion ?? '';
      const ours = this.resourceVersion ?? '';
      if (/^\d+$/.test(current) && /^\d+$/.test(ours) && BigInt(current) < BigInt(ours)) {
        logger.info({ current, ours }, `${info.kind}: the API server's history restarted, relisting`);
        this.resourceVersion = undefined;
        return 'restarted';
      }
      return 'ready';
    } catch (err) {
      if (!this.stopped) logger.debug({ err: describe(err) }, `${info.kind}: API server not reachable yet`);
      return 'unknown';
    }
  }

  /** Runs one watch stream from `version` until it ends, fails, idles or is told to stop. */
  private stream(version: string): Promise<StreamResult> {
    const { kubeConfig, timings } = this.options;
    return new Promise((resolve) => {
      const started = Date.now();
      const result: StreamResult = { events: 0, durationMs: 0, gone: false, idle: false };
      let agent: Agent | undefined;
      let controller: AbortController | undefined;
      let idleTimer: NodeJS.Timeout | undefined;
      let finished = false;
      const finish = (err?: unknown) => {
        if (finished) return;
        finished = true;
        clearTimeout(idleTimer);
        this.closeStream = undefined;
        controller?.abort();
        agent?.destroy();
        if (err && !result.gone && !result.idle && !this.stopped) classifyError(err, result);
        resolve({ ...result, durationMs: Date.now() - started });
      };
      const armIdle = () => {
        clearTimeout(idleTimer);
        idleTimer = setTimeout(() => {
          result.idle = true;
          finish();
        }, timings.idleTimeoutMs);
      };
      this.closeStream = () => finish();
      armIdle();
      const query = {
        resourceVersion: version,
        allowWatchBookmarks: true,
        timeoutSeconds: Math.floor(timings.serverTimeoutSeconds * (1 + this.random())),
      };
      const watch = new Watch(capturingAgent(kubeConfig, (a) => (agent = a)));
      const onLine = (type: string, object: unknown) => {
        if (finished) return;
        armIdle();
        // client-node's Watch swallows whatever its callback throws; a failure here must end
        // the stream instead, or the event would be lost without a trace.
        try {
          this.onEvent(type, object, result, finish);
        } catch (err) {
          finish(err);
        }
      };
      watch
        .watch(this.path, query, onLine, (err: unknown) => finish(err ?? undefined))
        .then(
          (c) => {
            controller = c;
            if (finished) c.abort();
          },
          (err: unknown) => finish(err),
        );
    });
  }

  private onEvent(
    type: string,
    object: unknown,
    result: StreamResult,
    finish: (err?: unknown) => void,
  ): void {
    const { info, sink, stats } = this.options;
    if (type === 'BOOKMARK') {
      const version = (object as KubeObject | undefined)?.metadata?.resourceVersion;
      if (version) this.resourceVersion = version;
      stats.bookmarks++;
      return;
    }
    if (type === 'ERROR') {
      const status = (object ?? {}) as KubeStatusBody;
      if (status.code === 410 || isTooLargeVersion(status)) result.gone = true;
      else
        result.error = new Error(`watch ERROR event: ${status.code ?? '?'} ${status.message ?? ''}`.trim());
      finish();
      return;
    }
    if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED') return;
    const obj = sanitize(object as KubeObject, info);
    sink.apply(info.kind, type, obj);
    if (obj.metadata.resourceVersion) this.resourceVersion = obj.metadata.resourceVersion;
    result.events++;
    if (type === 'ADDED') stats.added++;
    else if (type === 'MODIFIED') stats.modified++;
    else stats.deleted++;
  }

  private report(result: StreamResult): void {
    const { info, stats, logger } = this.options;
    if (result.idle) stats.idleTimeouts++;
    if (result.error !== undefined) {
      stats.errors++;
      logger.warn({ err: describe(result.error) }, `watch ${info.kind} failed`);
    } else if (result.gone) {
      logger.info(`watch ${info.kind}: resourceVersion no longer usable, relisting`);
    }
  }
}

/**
 * HTTP 410 on connect means the same as an ERROR event with code 410. A 504 on connect is how an
 * API server answers a resourceVersion it has not reached (it restarted with an empty store): the
 * Watch client drops the body, so the status code is all there is; relisting is right for both.
 */
function classifyError(err: unknown, result: StreamResult): void {
  const code = errorCode(err);
  if (code === 410 || code === 504) result.gone = true;
  else result.error = err;
}

/** What a restarted, emptied API server answers to a resourceVersion from its previous life. */
function isTooLargeVersion(status: KubeStatusBody): boolean {
  return /too large resource version/i.test(status.message ?? '');
}

/**
 * A view of the KubeConfig that reports the agent each watch request is sent with, so a stream
 * can be torn down even before the server answered (client-node's Watch only hands out its
 * AbortController once the response headers arrived).
 */
function capturingAgent(kc: KubeConfig, onAgent: (agent: Agent) => void): KubeConfig {
  const view = Object.create(kc) as KubeConfig;
  view.applyToFetchOptions = async (opts) => {
    const init = await kc.applyToFetchOptions(opts);
    if (init.agent instanceof Agent) onAgent(init.agent);
    return init;
  };
  return view;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
