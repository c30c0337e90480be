// Path modifiers shared by URLRewrite and RequestRedirect: ReplaceFullPath, and ReplacePrefixMatch,
// which swaps the route's matched PathPrefix for the replacement segment-wise (a trailing slash on
// either side is ignored, and the result is never empty).

import type { PathModifierIR } from '../../ir/types.js';

/**
 * Replaces `prefix` (the route's PathPrefix, trailing slash already trimmed, '' for `/`) at the
 * start of `path`: `/foo/bar` with `/foo` → `/xyz` gives `/xyz/bar`; with `/` gives `/bar`.
 */
export function replacePrefix(path: string, prefix: string, replacement: string): string {
  const rest = path.startsWith(prefix) ? path.slice(prefix.length) : path;
  const head = replacement.endsWith('/') ? replacement.slice(0, -1) : replacement;
  const joined = head + rest;
  return joined === '' ? '/' : joined.startsWith('/') ? joined : `/${joined}`;
}

/** The path after `modifier`; `prefix` is the matched PathPrefix (undefined for other match types). */
export function modifyPath(modifier: PathModifierIR, path: string, prefix: string | undefined): string {
  if (modifier.type === 'ReplaceFullPath') return modifier.value;
  return prefix === undefined ? path : replacePrefix(path, prefix, modifier.value);
}

/** `path?query`, or just `path` when the query is empty. */
export function withQuery(path: string, query: string): string {
  return query === '' ? path : `${path}?${query}`;
}
