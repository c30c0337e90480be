// Where the controller finds its API server: an explicit --kubeconfig, then $KUBECONFIG, then the
// pod's service account (token + CA under /var/run/secrets/kubernetes.io/serviceaccount), then
// ~/.kube/config. The API server certificate is always verified: nothing here sets skipTLSVerify
// (a kubeconfig may, e.g. for a plain-HTTP test server, and that choice stays the kubeconfig's).
// Every request can carry a User-Agent naming the program and replica, as Kubernetes clients do,
// so audit logs and API priority rules can tell the controller's replicas apart.

import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig, type RequestContext } from '@kubernetes/client-node';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface KubeConnectionOptions {
  /** Path from --kubeconfig; wins over everything else. */
  kubeconfig?: string;
  /** A context name inside the kubeconfig (default: its current-context). */
  context?: string;
  /** Environment to read KUBECONFIG / KUBERNETES_SERVICE_HOST from (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Prefix for the service-account directory; tests point it at a temp dir. */
  inClusterRoot?: string;
  /** Home directory for ~/.kube/config (default: os.homedir()). */
  home?: string;
  /** User-Agent for every request (typed clients, watches, KubeRest); client-node's otherwise. */
  userAgent?: string;
}

export type KubeConfigSource = 'flag' | 'env' | 'in-cluster' | 'home';

export interface LoadedKubeConfig {
  kubeConfig: KubeConfig;
  source: KubeConfigSource;
  /** The namespace the service account lives in (in-cluster only). */
  namespace?: string;
}

export function loadKubeConfig(options: KubeConnectionOptions = {}): LoadedKubeConfig {
  const env = options.env ?? process.env;
  const kc = options.userAgent ? new IdentifiedKubeConfig(options.userAgent) : new KubeConfig();
  let source: KubeConfigSource;
  const envFiles = (env.KUBECONFIG ?? '').split(delimiter).filter((f) => f.length > 0);
  const homeFile = join(options.home ?? homedir(), '.kube', 'config');
  if (options.kubeconfig) {
    kc.loadFromFile(options.kubeconfig);
    source = 'flag';
  } else if (envFiles.length > 0) {
    loadFiles(kc, envFiles);
    source = 'env';
  } else if (inClusterAvailable(env, options.inClusterRoot ?? '')) {
    loadInCluster(kc, env, options.inClusterRoot ?? '');
    source = 'in-cluster';
  } else if (existsSync(homeFile)) {
    kc.loadFromFile(homeFile);
    source = 'home';
  } else {
    throw new Error(
      'no Kubernetes configuration found: pass --kubeconfig, set KUBECONFIG, or run in a pod with a service account',
    );
  }
  if (options.context) kc.setCurrentContext(options.context);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error(`kubeconfig (${source}) has no current cluster`);
  const namespace =
    source === 'in-cluster' ? kc.getContextObject(kc.getCurrentContext())?.namespace : undefined;
  return { kubeConfig: kc, source, ...(namespace ? { namespace } : {}) };
}

/** Adds the User-Agent on both paths client-node builds requests through. */
class IdentifiedKubeConfig extends KubeConfig {
  constructor(private readonly userAgent: string) {
    super();
  }

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    context.setHeaderParam('User-Agent', this.userAgent);
  }

  override async applyToFetchOptions(
    opts: Parameters<KubeConfig['applyToFetchOptions']>[0],
  ): ReturnType<KubeConfig['applyToFetchOptions']> {
    const init = await super.applyToFetchOptions(opts);
    // client-node always builds a node-fetch Headers here.
    (init.headers as unknown as { set(name: string, value: string): void }).set('User-Agent', this.userAgent);
    return init;
  }
}

function inClusterAvailable(env: NodeJS.ProcessEnv, root: string): boolean {
  return Boolean(env.KUBERNETES_SERVICE_HOST) && existsSync(`${root}${SERVICE_ACCOUNT_DIR}/token`);
}

/**
 * client-node's loadFromCluster reads KUBERNETES_SERVICE_HOST/PORT from process.env; the
 * environment we were given is applied for the duration of the call so tests need not mutate
 * the real process environment.
 */
function loadInCluster(kc: KubeConfig, env: NodeJS.ProcessEnv, root: string): void {
  const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
  process.env.KUBERNETES_SERVICE_HOST = env.KUBERNETES_SERVICE_HOST;
  process.env.KUBERNETES_SERVICE_PORT = env.KUBERNETES_SERVICE_PORT ?? '443';
  try {
    kc.loadFromCluster(root);
  } finally {
    restoreEnv('KUBERNETES_SERVICE_HOST', saved.host);
    restoreEnv('KUBERNETES_SERVICE_PORT', saved.port);
  }
  const cluster = kc.getCurrentCluster();
  if (cluster?.skipTLSVerify || !cluster?.caFile) {
    throw new Error('in-cluster configuration must verify the API server with the service-account CA');
  }
}

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

function loadFiles(kc: KubeConfig, files: string[]): void {
  const [first, ...rest] = files;
  kc.loadFromFile(first!);
  for (const file of rest) {
    const more = new KubeConfig();
    more.loadFromFile(file);
    kc.mergeConfig(more);
  }
}
