// HTTP routing of the double: the discovery and health paths, and the resource paths
// /api/v1/... and /apis/<group>/<version>/... ([watch/][namespaces/<ns>/]<plural>[/<name>[/status]])
// mapped to a Kubernetes verb (get, list, watch, create, update, patch, delete,
// deletecollection) and dispatched to the read, write and watch handlers.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { apiGroup, apiGroupList, coreVersions, resourceList, versionInfo } from './discovery.js';
import { ApiError, badRequest, failure, methodNotSupported } from './errors.js';
import { deleteObject, parseDeleteOptions, patchObject } from './mutations.js';
import type { KubeObject } from './objects.js';
import { getObject, listObjects } from './reads.js';
import { groupResource, present, type ServerState, type Target } from './state.js';
import type { WatchHub } from './watch.js';
import { createObject, decodeBody, updateObject, type Writer } from './writes.js';

export interface RouterContext {
  state: ServerState;
  watches: WatchHub;
  serverAddress: string;
}

/** A request as the router understood it: the verb and target, for logs and fault injection. */
export interface ResolvedRequest {
  verb: string;
  target: Target;
}

export interface Reply {
  status: number;
  body: unknown;
  /** The response was already written (a watch stream). */
  streamed?: boolean;
}

export function notFoundPath(): ApiError {
  return failure(404, 'NotFound', 'the server could not find the requested resource', {});
}

/** Answers discovery and health paths; undefined when the path is a resource path. */
export function discoveryReply(ctx: RouterContext, segments: string[]): Reply | undefined {
  const types = ctx.state.registry.all();
  const [root, a, b] = segments;
  const found = (body: unknown): Reply => {
    if (body === undefined) throw notFoundPath();
    return { status: 200, body };
  };
  if (segments.length === 1 && (root === 'healthz' || root === 'readyz' || root === 'livez')) {
    return { status: 200, body: 'ok' };
  }
  if (segments.length === 1 && root === 'version') return found(versionInfo());
  if (root === 'api' && segments.length === 1) return found(coreVersions(ctx.serverAddress));
  if (root === 'api' && segments.length === 2) return found(resourceList(types, '', a ?? ''));
  if (root === 'apis' && segments.length === 1) return found(apiGroupList(types));
  if (root === 'apis' && segments.length === 2) return found(apiGroup(types, a ?? ''));
  if (root === 'apis' && segments.length === 3) return found(resourceList(types, a ?? '', b ?? ''));
  if (root !== 'api' && root !== 'apis') throw notFoundPath();
  return undefined;
}

function verbFor(method: string, target: Target, watch: boolean): string {
  const named = target.name !== undefined;
  switch (method) {
    case 'GET':
      return named ? 'get' : watch ? 'watch' : 'list';
    case 'POST':
      return named ? 'post-named' : 'create';
    case 'PUT':
      return named ? 'update' : 'put-collection';
    case 'PATCH':
      return named ? 'patch' : 'patch-collection';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}

/** Maps a resource path to its verb and target; 404 for anything not served. */
export function resolve(
  ctx: RouterContext,
  method: string,
  segments: string[],
  query: URLSearchParams,
): ResolvedRequest {
  const core = segments[0] === 'api';
  const group = core ? '' : (segments[1] ?? '');
  const version = core ? (segments[1] ?? '') : (segments[2] ?? '');
  let rest = segments.slice(core ? 2 : 3);
  let watch = query.get('watch') === 'true' || query.get('watch') === '1';
  if (rest[0] === 'watch') {
    watch = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  const namespacedType =
    rest[0] === 'namespaces' && rest.length >= 3
      ? ctx.state.registry.find(group, version, rest[2]!)
      : undefined;
  if (namespacedType?.namespaced) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, subresource, ...extra] = rest;
  const type = plural ? ctx.state.registry.find(group, version, plural) : undefined;
  if (!type || extra.length > 0) throw notFoundPath();
  if (!type.namespaced && namespace !== undefined) throw notFoundPath();
  if (type.namespaced && namespace === undefined && name !== undefined) throw notFoundPath();
  if (subresource !== undefined && !(subresource === 'status' && type.statusSubresource))
    throw notFoundPath();
  const target: Target = { type, version };
  if (namespace !== undefined) target.namespace = namespace;
  if (name !== undefined) target.name = name;
  if (subresource !== undefined) target.subresource = subresource;
  return { verb: verbFor(method, target, watch), target };
}

function parseJson(raw: string): unknown {
  if (raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw badRequest(`error decoding request body: ${(err as Error).message}`);
  }
}

/** The field manager of a non-apply write: the query's, else the User-Agent's product name. */
function fieldManager(req: IncomingMessage, query: URLSearchParams): string {
  return query.get('fieldManager') || (req.headers['user-agent'] ?? 'unknown').split('/')[0] || 'unknown';
}

export async function dispatch(
  ctx: RouterContext,
  req: IncomingMessage,
  res: ServerResponse,
  resolved: ResolvedRequest,
  query: URLSearchParams,
  rawBody: string,
): Promise<Reply> {
  const { verb, target } = resolved;
  const { state } = ctx;
  const writer: Writer = {
    manager: fieldManager(req, query),
    dryRun: query.getAll('dryRun').includes('All'),
  };
  const gr = groupResource(target.type);
  if (
    target.type.namespaced &&
    target.namespace === undefined &&
    (verb === 'create' || verb === 'deletecollection')
  ) {
    throw methodNotSupported(gr, verb);
  }
  switch (verb) {
    case 'get':
      return { status: 200, body: getObject(state, target) };
    case 'list':
      return { status: 200, body: listObjects(state, target, query) };
    case 'watch':
      ctx.watches.serve(target, query, res);
      return { status: 200, body: undefined, streamed: true };
    case 'create': {
      const obj = decodeBody(target, parseJson(rawBody));
      const created = await createObject(state, target, obj, writer);
      return { status: 201, body: presentWritten(target, created) };
    }
    case 'update':
      return {
        status: 200,
        body: presentWritten(target, await updateObject(state, target, parseJson(rawBody), writer)),
      };
    case 'patch':
      return patchReply(ctx, req, target, query, rawBody, writer);
    case 'delete':
      return {
        status: 200,
        body: await deleteObject(state, target, parseDeleteOptions(parseJson(rawBody), query)),
      };
    case 'deletecollection':
      return { status: 200, body: await deleteCollection(ctx, target, query, rawBody) };
    default:
      throw methodNotSupported(gr, verb.split('-')[0] ?? verb);
  }
}

function presentWritten(target: Target, obj: KubeObject): KubeObject {
  return present(target.type, target.version, obj);
}

async function patchReply(
  ctx: RouterContext,
  req: IncomingMessage,
  target: Target,
  query: URLSearchParams,
  rawBody: string,
  writer: Writer,
): Promise<Reply> {
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
  const options = { ...writer, contentType } as Parameters<typeof patchObject>[3];
  const manager = query.get('fieldManager');
  if (manager) options.fieldManager = manager;
  const force = query.get('force');
  if (force !== null) options.force = force === 'true';
  const existed = ctx.state.storage.get(
    `${target.type.group}/${target.type.plural}`,
    target.namespace,
    target.name ?? '',
  );
  const patched = await patchObject(ctx.state, target, rawBody, options);
  return { status: existed ? 200 : 201, body: presentWritten(target, patched) };
}

async function deleteCollection(
  ctx: RouterContext,
  target: Target,
  query: URLSearchParams,
  rawBody: string,
): Promise<unknown> {
  const options = parseDeleteOptions(parseJson(rawBody), query);
  const listed = listObjects(ctx.state, target, query);
  const deleted: unknown[] = [];
  for (const item of listed.items) {
    const one = { ...target, name: item.metadata.name ?? '' };
    deleted.push(await deleteObject(ctx.state, one, options));
  }
  return { kind: listed.kind, apiVersion: listed.apiVersion, metadata: {}, items: deleted };
}

export function errorReply(err: unknown): Reply {
  if (err instanceof ApiError) return { status: err.status.code, body: err.status };
  const message = err instanceof Error ? err.message : String(err);
  return { status: 500, body: failure(500, 'InternalError', `Internal error occurred: ${message}`).status };
}
