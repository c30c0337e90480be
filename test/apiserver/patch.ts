// The PATCH body formats other than server-side apply: JSON merge patch (RFC 7386), JSON patch
// (RFC 6902) and strategic merge patch. Strategic merge patch is approximated as a merge patch
// with its `$`-directives dropped: a list in the patch replaces the list in the object, where the
// real server would merge list items by their patchMergeKey (e.g. containers by name). Custom
// resources reject strategic merge patch with 415, as the real server does.

import { type ApiError, badRequest, failure } from './errors.js';
import { deepCopy, deepEqual, isPlainObject } from './objects.js';

export const MERGE_PATCH = 'application/merge-patch+json';
export const JSON_PATCH = 'application/json-patch+json';
export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';
export const APPLY_PATCH = 'application/apply-patch+yaml';

/** RFC 7386: objects merge key by key, `null` removes a key, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return deepCopy(patch);
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

function withoutDirectives(patch: unknown): unknown {
  if (Array.isArray(patch)) return patch.map(withoutDirectives);
  if (!isPlainObject(patch)) return patch;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (
      key.startsWith('$') ||
      key.startsWith('$setElementOrder/') ||
      key.startsWith('$deleteFromPrimitiveList/')
    ) {
      continue;
    }
    out[key] = withoutDirectives(value);
  }
  return out;
}

/** Strategic merge patch, approximated: see the module comment. */
export function strategicMergePatch(target: unknown, patch: unknown): unknown {
  return mergePatch(target, withoutDirectives(patch));
}

// ---- JSON patch (RFC 6902) ----

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

function patchFailure(message: string): ApiError {
  return failure(422, 'Invalid', message);
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw patchFailure(`JSON pointer must start with '/': "${pointer}"`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

type Container = Record<string, unknown> | unknown[];

/** The parent container of a pointer's last token, and that token. */
function locate(doc: unknown, pointer: string): { parent: Container; token: string } {
  const tokens = parsePointer(pointer);
  const token = tokens.pop();
  if (token === undefined) throw patchFailure('the root of the document cannot be patched');
  let node: unknown = doc;
  for (const t of tokens) {
    node = Array.isArray(node) ? node[Number(t)] : isPlainObject(node) ? node[t] : undefined;
    if (node === undefined) throw patchFailure(`doc is missing path: "${pointer}": missing value`);
  }
  if (!Array.isArray(node) && !isPlainObject(node)) {
    throw patchFailure(`doc is missing path: "${pointer}": missing value`);
  }
  return { parent: node, token };
}

function arrayIndex(parent: unknown[], token: string, pointer: string, allowEnd: boolean): number {
  if (token === '-' && allowEnd) return parent.length;
  const index = Number(token);
  const max = allowEnd ? parent.length : parent.length - 1;
  if (!/^\d+$/.test(token) || index > max)
    throw patchFailure(`unable to access invalid index: ${index} at "${pointer}"`);
  return index;
}

function getAt(doc: unknown, pointer: string): unknown {
  if (pointer === '') return doc;
  const { parent, token } = locate(doc, pointer);
  const value = Array.isArray(parent) ? parent[arrayIndex(parent, token, pointer, false)] : parent[token];
  if (value === undefined) throw patchFailure(`doc is missing path: "${pointer}": missing value`);
  return value;
}

function addAt(doc: unknown, pointer: string, value: unknown): void {
  const { parent, token } = locate(doc, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, token, pointer, true), 0, deepCopy(value));
  else parent[token] = deepCopy(value);
}

function removeAt(doc: unknown, pointer: string): unknown {
  const { parent, token } = locate(doc, pointer);
  if (Array.isArray(parent)) return parent.splice(arrayIndex(parent, token, pointer, false), 1)[0];
  if (!Object.hasOwn(parent, token)) throw patchFailure(`doc is missing path: "${pointer}": missing value`);
  const old = parent[token];
  delete parent[token];
  return old;
}

function applyOperation(doc: unknown, op: Operation): void {
  switch (op.op) {
    case 'add':
      addAt(doc, op.path, op.value);
      break;
    case 'remove':
      removeAt(doc, op.path);
      break;
    case 'replace':
      removeAt(doc, op.path);
      addAt(doc, op.path, op.value);
      break;
    case 'move':
      addAt(doc, op.path, removeAt(doc, op.from ?? ''));
      break;
    case 'copy':
      addAt(doc, op.path, getAt(doc, op.from ?? ''));
      break;
    case 'test':
      if (!deepEqual(getAt(doc, op.path), op.value))
        throw patchFailure(`testing value ${op.path} failed: test failed`);
      break;
    default:
      throw badRequest(`Unexpected kind: ${op.op}`);
  }
}

export function jsonPatch(target: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch))
    throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  const doc = deepCopy(target);
  for (const raw of patch) {
    if (!isPlainObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw badRequest('invalid JSON patch operation: each needs "op" and "path"');
    }
    applyOperation(doc, raw as unknown as Operation);
  }
  return doc;
}
