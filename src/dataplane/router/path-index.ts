// The routes of one hostname group indexed by path: a Map for Exact paths, a segment trie for
// PathPrefix (so `/v2` covers /v2, /v2/ and /v2/x but not /v2x) and a list for regular
// expressions. A lookup visits only the entries whose path can match, and returns the one
// earliest in precedence order whose other conditions (method, headers, query) also match.

import type { PathMatchIR } from '../../ir/types.js';
import { type MatchRequest, matchesRequest, type RouteMatch } from './match.js';

type PathType = PathMatchIR['type'];

export interface RouteEntry<T> {
  readonly match: RouteMatch;
  readonly value: T;
}

/** Shared by every prefix node without entries of its own (never added to). */
const NO_ENTRIES: RouteEntry<never>[] = [];

interface PrefixNode<T> {
  /** Entries whose prefix ends at this node, in precedence order. */
  entries: RouteEntry<T>[];
  children: Map<string, PrefixNode<T>> | undefined;
}

// A listener can hold thousands of hostnames with a route or two each: the parts an index does
// not use stay unallocated, which keeps each index small and a lookup's memory reads few.
export class PathIndex<T> {
  private exact: Map<string, RouteEntry<T>[]> | undefined;
  private readonly prefixRoot: PrefixNode<T> = { entries: NO_ENTRIES, children: undefined };
  private regex: RouteEntry<T>[] | undefined;
  /** The entry of an index that has exactly one: checked directly, without the Map or the trie. */
  private only: RouteEntry<T> | undefined;
  // The only entry's path condition and whether it has no other, copied here so that a lookup
  // among thousands of single-route hostnames reads this object and the path string, not the
  // entry's match objects (each one more cache miss).
  private onlyType: PathType = 'Exact';
  private onlyPath = '';
  private onlyPlain = false;
  private count = 0;

  /** Entries must be added in precedence order. */
  add(entry: RouteEntry<T>): void {
    this.count++;
    const { path, prefix } = entry.match;
    this.only = undefined;
    if (this.count === 1) {
      this.only = entry;
      this.onlyType = path.type;
      this.onlyPath = path.type === 'PathPrefix' ? prefix : path.value;
      this.onlyPlain = isPlain(entry.match);
    }
    if (path.type === 'Exact') {
      this.exact ??= new Map();
      const list = this.exact.get(path.value);
      if (list === undefined) this.exact.set(path.value, [entry]);
      else list.push(entry);
    } else if (path.type === 'PathPrefix') {
      const node = this.prefixNode(prefix);
      if (node.entries === NO_ENTRIES) node.entries = [entry];
      else node.entries.push(entry);
    } else {
      this.regex ??= [];
      this.regex.push(entry);
    }
  }

  /** The first entry in precedence order that matches `req`, if any. */
  find(req: MatchRequest): RouteEntry<T> | undefined {
    const path = req.path;
    const only = this.only;
    if (only !== undefined && path.charCodeAt(0) === 47 /* / */) {
      if (!pathMatches(this.onlyType, this.onlyPath, path)) return undefined;
      return this.onlyPlain || matchesRequest(only.match, req) ? only : undefined;
    }
    let best = this.exact === undefined ? undefined : firstMatch(this.exact.get(path), req, undefined);
    let node: PrefixNode<T> | undefined = this.prefixRoot;
    let start = 1;
    while (node !== undefined) {
      if (node.entries.length > 0) best = firstMatch(node.entries, req, best);
      if (node.children === undefined || start > path.length) break;
      let end = path.indexOf('/', start);
      if (end === -1) end = path.length;
      node = node.children.get(path.slice(start, end));
      start = end + 1;
    }
    if (this.regex !== undefined) best = firstMatch(this.regex, req, best);
    return best;
  }

  private prefixNode(prefix: string): PrefixNode<T> {
    let node = this.prefixRoot;
    if (prefix === '') return node;
    for (const segment of prefix.slice(1).split('/')) {
      node.children ??= new Map();
      let child = node.children.get(segment);
      if (child === undefined) {
        child = { entries: NO_ENTRIES, children: undefined };
        node.children.set(segment, child);
      }
      node = child;
    }
    return node;
  }
}

/**
 * The path condition alone, as the index would find it: Exact, segment-wise PathPrefix (`value`
 * without its trailing slash), or a regex.
 */
function pathMatches(type: PathType, value: string, path: string): boolean {
  if (type === 'Exact') return path === value;
  if (type !== 'PathPrefix' || value === '') return true; // a regex is checked by matchesRequest
  return path.startsWith(value) && (path.length === value.length || path.charCodeAt(value.length) === 47);
}

/** Nothing but the path to check: matchesRequest would always say yes. */
function isPlain(match: RouteMatch): boolean {
  return (
    match.pathRegex === undefined &&
    match.method === undefined &&
    match.headers.length === 0 &&
    match.query.length === 0
  );
}

/**
 * The first entry of `list` (sorted by order) that matches and comes before `best`; `best`
 * otherwise. Entries after `best` are never checked.
 */
function firstMatch<T>(
  list: RouteEntry<T>[] | undefined,
  req: MatchRequest,
  best: RouteEntry<T> | undefined,
): RouteEntry<T> | undefined {
  if (list === undefined) return best;
  const limit = best === undefined ? Number.POSITIVE_INFINITY : best.match.order;
  for (const entry of list) {
    if (entry.match.order >= limit) break;
    if (matchesRequest(entry.match, req)) return entry;
  }
  return best;
}
