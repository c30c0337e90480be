// startApiServer: a Kubernetes API server double on 127.0.0.1 that speaks the real REST and
// watch protocol, for tests that drive it through @kubernetes/client-node. Plain HTTP by
// default, HTTPS with a freshly generated CA on request. Besides the HTTP API it offers test
// controls: cut every watch mid-stream, compact history (old resourceVersions then get 410),
// stop and restart on the same port (optionally keeping the etcd-like state), inject a failure
// into the next matching request, read the request log, and look at the stored objects.

import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import { INITIAL_NAMESPACES } from './builtins.js';
import { failure, type Status, unauthorized } from './errors.js';
import { kubeConfigFor, kubeconfigYaml } from './kubeconfig.js';
import { LifecycleControllers } from './lifecycle.js';
import type { KubeObject } from './objects.js';
import { Registry } from './registry.js';
import {
  discoveryReply,
  dispatch,
  errorReply,
  type Reply,
  type ResolvedRequest,
  type RouterContext,
  resolve,
} from './router.js';
import type { ServerState, ValidateHook } from './state.js';
import { Storage } from './storage.js';
import { createServerCertificate, type ServerCertificate } from './tls.js';
import { WatchHub } from './watch.js';
import { createObject, decodeBody } from './writes.js';

export interface ApiServerOptions {
  /** Port to listen on; 0 (default) picks a free one, kept across restarts. */
  port?: number;
  /** Serve HTTPS with a certificate from a CA generated at start-up. */
  tls?: boolean;
  /** When set, every request must carry `Authorization: Bearer <token>` (else 401). */
  token?: string;
  /** Extra validation (e.g. CRD schemas) on create, update and patch; issues become a 422. */
  validate?: ValidateHook;
  /** Change events kept for watch replay (default 1000); older resourceVersions get 410. */
  historyLimit?: number;
  /** Interval of BOOKMARK events on watches that allow them (default 1000 ms). */
  bookmarkIntervalMs?: number;
  /** Run the garbage collector for ownerReferences (default true). */
  garbageCollection?: boolean;
}

export interface RequestRecord {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Parsed JSON body (raw text when it is not JSON); absent when empty. */
  body?: unknown;
  contentType?: string;
  userAgent?: string;
  /** The Kubernetes verb, e.g. `list`, `watch`, `patch` (absent for discovery paths). */
  verb?: string;
  /** `plural` or `plural/subresource` (absent for discovery paths). */
  resource?: string;
  status: number;
}

export interface InjectedFailure {
  verb: string;
  /** `plural`, `plural.group`, or either with `/status`. */
  resource: string;
  /** An HTTP code (a Status body is made for it) or a whole Status. */
  status: number | Status;
  message?: string;
  /** How many matching requests fail (default 1). */
  times?: number;
}

export interface ApiServer {
  url: string;
  port: number;
  /** A client configuration for this server; `yaml` is the same for a `--kubeconfig` file. */
  kubeconfig: { config: KubeConfig; yaml: string };
  /** PEM of the CA that signed the server certificate (HTTPS only). */
  caPem?: string;
  stop(): Promise<void>;
  /** Listens again on the same port; `keepData` keeps objects, history and the revision counter. */
  restart(options?: { keepData?: boolean }): Promise<void>;
  /** Drops every watch connection mid-stream (no clean end of the chunked response). */
  cutWatches(): void;
  /** Ends every watch cleanly, as a real server does when a watch reaches its request timeout. */
  endWatches(): void;
  compact(): void;
  failNext(failure: InjectedFailure): void;
  requests(): RequestRecord[];
  clearRequests(): void;
  /** Stored objects by `group/plural` (core group: `/plural`), e.g. `coordination.k8s.io/leases`. */
  objects(): Map<string, KubeObject[]>;
  /** Creates an object directly (as an admin would), bypassing the request log and fault injection. */
  seed(obj: KubeObject): Promise<KubeObject>;
  resourceVersion(): string;
  activeWatches(): number;
}

const STATUS_REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Gone',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

function injectedStatus(injected: InjectedFailure): Status {
  if (typeof injected.status !== 'number') return injected.status;
  const code = injected.status;
  return failure(code, STATUS_REASONS[code] ?? 'Unknown', injected.message ?? `injected failure (${code})`)
    .status;
}

function matchesInjection(injected: InjectedFailure, resolved: ResolvedRequest): boolean {
  const { type, subresource } = resolved.target;
  const suffix = subresource ? `/${subresource}` : '';
  const names = [`${type.plural}${suffix}`, `${type.plural}.${type.group}${suffix}`];
  return injected.verb === resolved.verb && names.includes(injected.resource);
}

interface Core {
  state: ServerState;
  watches: WatchHub;
  lifecycle: LifecycleControllers;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseLogged(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

export async function startApiServer(options: ApiServerOptions = {}): Promise<ApiServer> {
  const certificate: ServerCertificate | undefined = options.tls
    ? await createServerCertificate()
    : undefined;
  const bookmarkIntervalMs = options.bookmarkIntervalMs ?? 1000;
  const log: RequestRecord[] = [];
  const failures: InjectedFailure[] = [];
  let port = options.port ?? 0;
  let server: Server;
  let core: Core;

  const buildCore = (storage: Storage): Core => {
    const state: ServerState = { storage, registry: new Registry(storage) };
    if (options.validate) state.validate = options.validate;
    const lifecycle = new LifecycleControllers(state, {
      garbageCollection: options.garbageCollection ?? true,
    });
    return { state, watches: new WatchHub(state, { bookmarkIntervalMs }), lifecycle };
  };

  const newStorage = async (): Promise<Storage> => {
    const storage = new Storage({ historyLimit: options.historyLimit ?? 1000 });
    const fresh = buildCore(storage);
    const namespaces = fresh.state.registry.find('', 'v1', 'namespaces')!;
    for (const name of INITIAL_NAMESPACES) {
      const target = { type: namespaces, version: 'v1', name };
      await createObject(fresh.state, target, decodeBody(target, { metadata: { name } }), {
        manager: 'kube-apiserver',
        dryRun: false,
      });
    }
    fresh.state.registry.close();
    fresh.lifecycle.close();
    return storage;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const rawBody = await readBody(req);
    const record: RequestRecord = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      status: 0,
    };
    const body = parseLogged(rawBody);
    if (body !== undefined) record.body = body;
    if (req.headers['content-type']) record.contentType = req.headers['content-type'];
    if (req.headers['user-agent']) record.userAgent = req.headers['user-agent'];
    log.push(record);
    const ctx: RouterContext = {
      state: core.state,
      watches: core.watches,
      serverAddress: `127.0.0.1:${port}`,
    };
    let reply: Reply;
    try {
      if (options.token && req.headers.authorization !== `Bearer ${options.token}`) throw unauthorized();
      const segments = url.pathname.split('/').filter((s) => s !== '');
      reply =
        discoveryReply(ctx, segments) ??
        (await resourceReply(ctx, req, res, record, segments, url.searchParams, rawBody));
    } catch (err) {
      reply = errorReply(err);
    }
    record.status = reply.status;
    if (reply.streamed || res.headersSent) return;
    const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    const contentType = typeof reply.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json';
    res.writeHead(reply.status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  };

  const resourceReply = async (
    ctx: RouterContext,
    req: IncomingMessage,
    res: ServerResponse,
    record: RequestRecord,
    segments: string[],
    query: URLSearchParams,
    rawBody: string,
  ): Promise<Reply> => {
    const resolved = resolve(ctx, record.method, segments, query);
    record.verb = resolved.verb;
    const { type, subresource } = resolved.target;
    record.resource = subresource ? `${type.plural}/${subresource}` : type.plural;
    const index = failures.findIndex((f) => matchesInjection(f, resolved));
    if (index >= 0) {
      const injected = failures[index]!;
      injected.times = (injected.times ?? 1) - 1;
      if (injected.times <= 0) failures.splice(index, 1);
      const status = injectedStatus(injected);
      return { status: status.code, body: status };
    }
    return dispatch(ctx, req, res, resolved, query, rawBody);
  };

  const listen = async (): Promise<void> => {
    const onRequest = (req: IncomingMessage, res: ServerResponse) => {
      handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500).end(String(err));
      });
    };
    server = certificate
      ? createHttpsServer({ key: certificate.keyPem, cert: certificate.certPem }, onRequest)
      : createHttpServer(onRequest);
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolveListen());
    });
    port = (server.address() as AddressInfo).port;
  };

  const shutdown = async (): Promise<void> => {
    core.watches.endAll();
    core.lifecycle.close();
    core.state.registry.close();
    const closed = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
    server.closeAllConnections();
    await closed;
  };

  core = buildCore(await newStorage());
  await listen();
  const scheme = certificate ? 'https' : 'http';
  const url = `${scheme}://127.0.0.1:${port}`;
  const kubeconfigOptions = { server: url, ...(certificate ? { caPem: certificate.ca.certPem } : {}) };
  const withToken = options.token ? { ...kubeconfigOptions, token: options.token } : kubeconfigOptions;

  const api: ApiServer = {
    url,
    port,
    kubeconfig: { config: kubeConfigFor(withToken), yaml: kubeconfigYaml(withToken) },
    stop: shutdown,
    async restart(restartOptions = {}) {
      await shutdown();
      core = buildCore(restartOptions.keepData ? core.state.storage : await newStorage());
      await listen();
    },
    cutWatches: () => core.watches.cutAll(),
    endWatches: () => core.watches.endAll(),
    compact: () => core.state.storage.compact(),
    failNext: (injected) => {
      failures.push({ ...injected });
    },
    requests: () => [...log],
    clearRequests: () => {
      log.length = 0;
    },
    objects: () => core.state.storage.snapshot(),
    async seed(obj) {
      const [group, version] = (obj.apiVersion ?? 'v1').includes('/')
        ? obj.apiVersion!.split('/')
        : ['', obj.apiVersion];
      const type = core.state.registry.all().find((t) => t.group === group && t.kind === obj.kind);
      if (!type || !version) throw new Error(`seed: no served kind ${obj.apiVersion} ${obj.kind}`);
      const target = {
        type,
        version,
        ...(type.namespaced ? { namespace: obj.metadata.namespace ?? 'default' } : {}),
      };
      return createObject(core.state, target, decodeBody(target, obj), { manager: 'seed', dryRun: false });
    },
    resourceVersion: () => String(core.state.storage.currentRevision()),
    activeWatches: () => core.watches.count(),
  };
  if (certificate) api.caPem = certificate.ca.certPem;
  return api;
}
