// Watch streams: newline-delimited JSON `{type, object}` over a chunked 200 response, following
// the API concepts doc. resourceVersion unset or "0" starts with synthetic ADDED events for the
// current state; "N" replays every change after N from storage history, or sends one ERROR event
// carrying a 410 Expired Status ("too old resource version") when N was compacted away.
// Selectors are applied to both the old and new state of an object, so an object moving out of a
// selector arrives as DELETED and one moving in as ADDED, as from the real watch cache.
// allowWatchBookmarks gets periodic BOOKMARKs (kind, apiVersion, metadata.resourceVersion only);
// sendInitialEvents ends its initial ADDED events with the `k8s.io/initial-events-end` bookmark.

import type { ServerResponse } from 'node:http';
import { failure, fieldErrors as fe, invalid, type Status } from './errors.js';
import { apiVersionOf, type KubeObject, resourceKey } from './objects.js';
import { parseFieldSelector, parseLabelSelector, type Selector } from './selectors.js';
import { present, type ServerState, type Target } from './state.js';
import type { ChangeEvent } from './storage.js';

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchOptions {
  /** How often a watch that allows bookmarks gets one. */
  bookmarkIntervalMs: number;
}

const LIST_OPTIONS = { group: 'meta.k8s.io', kind: 'ListOptions' };

interface ActiveWatch {
  /** Ends the response cleanly. */
  stop(): void;
  /** Drops the connection without ending the response. */
  cut(): void;
}

/** What a watch request asks for, checked before the response starts. */
interface WatchPlan {
  matches: Selector;
  startRevision: number | undefined;
  initialEvents: boolean;
  initialEventsBookmark: boolean;
  bookmarks: boolean;
  timeoutSeconds: number | undefined;
}

function planWatch(query: URLSearchParams): WatchPlan {
  const labels = parseLabelSelector(query.get('labelSelector'));
  const fields = parseFieldSelector(query.get('fieldSelector'));
  const rv = query.get('resourceVersion') ?? '';
  const match = query.get('resourceVersionMatch') ?? '';
  const sendInitial = query.get('sendInitialEvents');
  const bookmarks = query.get('allowWatchBookmarks') === 'true';
  if (sendInitial === null && match) {
    const detail = 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided';
    throw invalid(LIST_OPTIONS, '', [fe.forbidden('resourceVersionMatch', detail)]);
  }
  if (sendInitial === 'true' && (match !== 'NotOlderThan' || !bookmarks)) {
    const errors = [];
    if (match !== 'NotOlderThan') {
      errors.push(
        fe.forbidden(
          'resourceVersionMatch',
          'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan',
        ),
      );
    }
    if (!bookmarks)
      errors.push(fe.forbidden('allowWatchBookmarks', 'sendInitialEvents requires allowWatchBookmarks=true'));
    throw invalid(LIST_OPTIONS, '', errors);
  }
  if (rv && !/^\d+$/.test(rv))
    throw invalid(LIST_OPTIONS, '', [fe.invalid('resourceVersion', rv, 'must be a valid resource version')]);
  const fromState = sendInitial === 'true' || ((rv === '' || rv === '0') && sendInitial !== 'false');
  const timeout = query.get('timeoutSeconds');
  return {
    matches: (obj) => labels(obj) && fields(obj),
    startRevision: fromState || rv === '' || rv === '0' ? undefined : Number(rv),
    initialEvents: fromState,
    initialEventsBookmark: sendInitial === 'true',
    bookmarks,
    timeoutSeconds: timeout !== null && Number(timeout) > 0 ? Number(timeout) : undefined,
  };
}

/** How a change looks through the watch's selectors: which event, if any, the client sees. */
function visibleAs(event: ChangeEvent, matches: Selector): EventType | undefined {
  const now = event.type !== 'DELETED' && matches(event.object);
  const before = event.previous !== undefined && matches(event.previous);
  if (event.type === 'DELETED') return before ? 'DELETED' : undefined;
  if (now && before) return 'MODIFIED';
  if (now) return 'ADDED';
  if (before) return 'DELETED';
  return undefined;
}

export class WatchHub {
  private readonly active = new Set<ActiveWatch>();

  constructor(
    private readonly state: ServerState,
    private readonly options: WatchOptions,
  ) {}

  /** Starts a watch on `res`; throws an ApiError (before any byte is sent) for a bad request. */
  serve(target: Target, query: URLSearchParams, res: ServerResponse): void {
    const plan = planWatch(query);
    const { type, version } = target;
    const key = resourceKey(type);
    const storage = this.state.storage;
    const inScope = (obj: KubeObject) =>
      target.namespace === undefined || obj.metadata.namespace === target.namespace;
    const send = (eventType: EventType, object: unknown) => {
      res.write(`${JSON.stringify({ type: eventType, object })}\n`);
    };
    const bookmark = (revision: number, initialEventsEnd = false) => {
      const metadata: Record<string, unknown> = { resourceVersion: String(revision) };
      if (initialEventsEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
      send('BOOKMARK', { kind: type.kind, apiVersion: apiVersionOf(type.group, version), metadata });
    };
    const deliver = (event: ChangeEvent) => {
      if (event.resource !== key || !inScope(event.object)) return;
      // A watch from a resourceVersion not reached yet waits for it, as on a real server.
      if (plan.startRevision !== undefined && event.revision <= plan.startRevision) return;
      const seenAs = visibleAs(event, plan.matches);
      if (seenAs) send(seenAs, present(type, version, event.object));
    };

    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
    res.flushHeaders();
    let backlog: ChangeEvent[] = [];
    const current = storage.currentRevision();
    if (plan.startRevision !== undefined) {
      const events = storage.eventsSince(plan.startRevision);
      if (!events) {
        const floor = storage.oldestWatchableRevision();
        const status: Status = failure(
          410,
          'Expired',
          `too old resource version: ${plan.startRevision} (${floor})`,
        ).status;
        send('ERROR', status);
        res.end();
        return;
      }
      backlog = events;
    }
    if (plan.initialEvents) {
      for (const obj of storage.list(key, target.namespace)) {
        if (plan.matches(obj)) send('ADDED', present(type, version, obj));
      }
      if (plan.initialEventsBookmark) bookmark(current, true);
    }
    for (const event of backlog) deliver(event);

    const unsubscribe = storage.subscribe((event) => {
      if (!this.state.registry.byResource(key)) return watch.stop();
      deliver(event);
    });
    const timers: NodeJS.Timeout[] = [];
    if (plan.bookmarks) {
      const since = plan.startRevision ?? current;
      timers.push(
        setInterval(
          () => bookmark(Math.max(since, storage.currentRevision())),
          this.options.bookmarkIntervalMs,
        ),
      );
    }
    if (plan.timeoutSeconds !== undefined)
      timers.push(setTimeout(() => watch.stop(), plan.timeoutSeconds * 1000));
    const cleanup = () => {
      unsubscribe();
      for (const timer of timers) clearTimeout(timer);
      this.active.delete(watch);
    };
    const watch: ActiveWatch = {
      stop: () => {
        cleanup();
        if (!res.writableEnded) res.end();
      },
      cut: () => {
        cleanup();
        res.socket?.destroy();
      },
    };
    this.active.add(watch);
    res.on('close', cleanup);
  }

  /** Drops every watch connection mid-stream, without a clean end of the response. */
  cutAll(): void {
    for (const watch of [...this.active]) watch.cut();
  }

  /** Ends every watch cleanly (server shutdown). */
  endAll(): void {
    for (const watch of [...this.active]) watch.stop();
  }

  count(): number {
    return this.active.size;
  }
}
