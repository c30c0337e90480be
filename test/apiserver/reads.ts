// GET and LIST. A list honours labelSelector, fieldSelector, limit/continue paging (every page is
// read at the first page's resourceVersion, as the real server's continue tokens guarantee) and
// the resourceVersion / resourceVersionMatch table of the API concepts doc: unset = most recent,
// "0" = any, N = not older than N, N with Exact (or with a limit and no match) = exactly N,
// which is 410 Expired once N is compacted. Items of built-in lists carry no kind/apiVersion
// (typed lists omit them on the wire); custom resource list items keep theirs.

import { badRequest, expired, fieldErrors as fe, invalid, tooLargeResourceVersion } from './errors.js';
import { apiVersionOf, type KubeObject, resourceKey } from './objects.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import { present, type ServerState, type Target } from './state.js';
import { readLive } from './writes.js';

const EXPIRED_LIST = 'The resourceVersion for the provided list is too old.';
const EXPIRED_CONTINUE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.';
const LIST_OPTIONS = { group: 'meta.k8s.io', kind: 'ListOptions' };

export function getObject(state: ServerState, target: Target): KubeObject {
  return present(target.type, target.version, readLive(state, target));
}

interface ContinueToken {
  rv: number;
  start: string;
}

function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', ...token })).toString('base64url');
}

function decodeContinue(text: string): ContinueToken {
  try {
    const token = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<ContinueToken>;
    if (typeof token.rv === 'number' && typeof token.start === 'string')
      return { rv: token.rv, start: token.start };
  } catch {
    // fall through to the error below
  }
  throw badRequest(
    'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
  );
}

function parseRevision(text: string): number {
  if (!/^\d+$/.test(text)) {
    throw invalid(LIST_OPTIONS, '', [
      fe.invalid('resourceVersion', text, 'must be a valid resource version'),
    ]);
  }
  return Number(text);
}

/** Which revision a list reads at: undefined for "latest", or an exact one. */
function readRevision(state: ServerState, query: URLSearchParams): number | undefined {
  const rv = query.get('resourceVersion') ?? '';
  const match = query.get('resourceVersionMatch') ?? '';
  const limited = Number(query.get('limit') ?? '0') > 0;
  if (match && !rv) {
    const error = fe.forbidden(
      'resourceVersionMatch',
      'resourceVersionMatch is forbidden unless resourceVersion is provided',
    );
    throw invalid(LIST_OPTIONS, '', [error]);
  }
  if (match && match !== 'Exact' && match !== 'NotOlderThan') {
    throw invalid(LIST_OPTIONS, '', [
      fe.notSupported('resourceVersionMatch', match, ['Exact', 'NotOlderThan']),
    ]);
  }
  if (!rv || rv === '0') {
    if (match === 'Exact') {
      throw invalid(LIST_OPTIONS, '', [
        fe.forbidden(
          'resourceVersionMatch',
          'resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
        ),
      ]);
    }
    return undefined;
  }
  const revision = parseRevision(rv);
  const current = state.storage.currentRevision();
  if (revision > current) throw tooLargeResourceVersion(revision, current);
  const exact = match === 'Exact' || (match === '' && limited);
  return exact ? revision : undefined;
}

export interface ListResult {
  kind: string;
  apiVersion: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: KubeObject[];
}

function itemKey(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}

export function listObjects(state: ServerState, target: Target, query: URLSearchParams): ListResult {
  const { type, version } = target;
  const labelSelector = parseLabelSelector(query.get('labelSelector'));
  const fieldSelector = parseFieldSelector(query.get('fieldSelector'));
  const continueText = query.get('continue');
  const limit = Number(query.get('limit') ?? '0');
  let revision: number | undefined;
  let start = '';
  if (continueText) {
    const rv = query.get('resourceVersion');
    if (rv && rv !== '0') throw badRequest('specifying resource version is not allowed when using continue');
    const token = decodeContinue(continueText);
    revision = token.rv;
    start = token.start;
  } else {
    revision = readRevision(state, query);
  }
  const key = resourceKey(type);
  const listRevision = revision ?? state.storage.currentRevision();
  const all =
    revision === undefined
      ? state.storage.list(key, target.namespace)
      : state.storage.listAt(key, revision, target.namespace);
  if (!all) throw expired(continueText ? EXPIRED_CONTINUE : EXPIRED_LIST);
  const selected = all
    .filter((obj) => itemKey(obj) > start || start === '')
    .filter((o) => labelSelector(o) && fieldSelector(o));
  const page = limit > 0 ? selected.slice(0, limit) : selected;
  const metadata: ListResult['metadata'] = { resourceVersion: String(listRevision) };
  if (limit > 0 && selected.length > limit) {
    metadata.continue = encodeContinue({ rv: listRevision, start: itemKey(page[page.length - 1]!) });
    if (!query.get('labelSelector') && !query.get('fieldSelector'))
      metadata.remainingItemCount = selected.length - limit;
  }
  const items = page.map((obj) => {
    if (type.custom) return present(type, version, obj);
    const { apiVersion: _a, kind: _k, ...rest } = obj;
    return rest as KubeObject;
  });
  return { kind: type.listKind, apiVersion: apiVersionOf(type.group, version), metadata, items };
}
