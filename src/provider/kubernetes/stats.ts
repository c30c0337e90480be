// Plain counters about the watch layer, readable at any time (e.g. by a Prometheus collector
// registered later). Nothing here depends on a metrics library.

export interface KindWatchStats {
  /** Successful full lists (initial ones and relists). */
  lists: number;
  /** Lists caused by a 410 Gone, a too-new resourceVersion or repeated watch failures. */
  relists: number;
  /** Watch streams opened after the first one for the current list. */
  watchRestarts: number;
  /** Streams closed by the client-side idle timeout. */
  idleTimeouts: number;
  bookmarks: number;
  errors: number;
  added: number;
  modified: number;
  deleted: number;
}

export interface ProviderStats {
  kinds: Record<string, KindWatchStats>;
  /** Snapshots handed to onSnapshot. */
  snapshots: number;
  /** Changes that were stored but did not matter to any Gateway (no rebuild). */
  ignoredChanges: number;
  /** Changes that triggered (or joined) a rebuild. */
  relevantChanges: number;
}

export function emptyKindStats(): KindWatchStats {
  return {
    lists: 0,
    relists: 0,
    watchRestarts: 0,
    idleTimeouts: 0,
    bookmarks: 0,
    errors: 0,
    added: 0,
    modified: 0,
    deleted: 0,
  };
}

export function emptyProviderStats(kinds: readonly string[]): ProviderStats {
  return {
    kinds: Object.fromEntries(kinds.map((k) => [k, emptyKindStats()])),
    snapshots: 0,
    ignoredChanges: 0,
    relevantChanges: 0,
  };
}
