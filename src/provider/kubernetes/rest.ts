// Plain-JSON requests to the API server through client-node's own HTTP stack (its fetch library,
// TLS agent and authentication from the KubeConfig). The generated typed clients turn timestamps
// into Date objects and drop unknown fields; the watch layer and the status writer want the
// objects exactly as the server sent them, addressed by the paths in the kind registry.

import {
  ApiException,
  HttpMethod,
  IsomorphicFetchHttpLibrary,
  type KubeConfig,
  ServerConfiguration,
} from '@kubernetes/client-node';
import type { KindInfo } from '../../resources/kinds.js';

export const MERGE_PATCH = 'application/merge-patch+json';

export interface KubeStatusBody {
  kind?: string;
  code?: number;
  reason?: string;
  message?: string;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  /** Per-request timeout (default: the client's). */
  timeoutMs?: number;
  /** Aborts the request early (e.g. on shutdown). */
  signal?: AbortSignal;
}

export class KubeRest {
  private readonly server: ServerConfiguration<Record<string, string>>;
  private readonly http = new IsomorphicFetchHttpLibrary();

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly timeoutMs = 30_000,
  ) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    this.server = new ServerConfiguration(cluster.server, {});
  }

  get<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>(HttpMethod.GET, path, options);
  }

  patch<T>(path: string, body: unknown, contentType = MERGE_PATCH): Promise<T> {
    return this.request<T>(HttpMethod.PATCH, path, { body, contentType });
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>(HttpMethod.PUT, path, { body, contentType: 'application/json' });
  }

  async request<T>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<T> {
    const ctx = this.server.makeRequestContext(path, method);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) ctx.setQueryParam(name, String(value));
    }
    ctx.setHeaderParam('Accept', 'application/json');
    if (options.body !== undefined) {
      ctx.setHeaderParam('Content-Type', options.contentType ?? 'application/json');
      ctx.setBody(JSON.stringify(options.body));
    }
    const timeout = AbortSignal.timeout(options.timeoutMs ?? this.timeoutMs);
    ctx.setSignal(options.signal ? AbortSignal.any([timeout, options.signal]) : timeout);
    await this.kubeConfig.applySecurityAuthentication(ctx);
    const response = await this.http.send(ctx).toPromise();
    const text = await response.body.text();
    if (response.httpStatusCode < 200 || response.httpStatusCode > 299) {
      const status = parseStatus(text);
      throw new ApiException<KubeStatusBody>(
        response.httpStatusCode,
        `${method} ${path}: HTTP ${response.httpStatusCode}${status.message ? `: ${status.message}` : ''}`,
        status,
        response.headers,
      );
    }
    return JSON.parse(text) as T;
  }
}

function parseStatus(text: string): KubeStatusBody {
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as KubeStatusBody) : {};
  } catch {
    return { message: text.slice(0, 200) };
  }
}

/** The HTTP status of an error from KubeRest, the generated clients or a failed watch. */
export function errorCode(err: unknown): number | undefined {
  if (err instanceof ApiException) return err.code;
  const code = (err as { statusCode?: unknown; code?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** `/api/v1/services`, `/apis/gateway.networking.k8s.io/v1/namespaces/ns/gateways/name`, ... */
export function resourcePath(info: KindInfo, namespace?: string, name?: string): string {
  const root = info.group === '' ? `/api/${info.version}` : `/apis/${info.group}/${info.version}`;
  const ns = info.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const tail = name ? `/${encodeURIComponent(name)}` : '';
  return `${root}${ns}/${info.plural}${tail}`;
}
