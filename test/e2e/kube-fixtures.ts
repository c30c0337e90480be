// Shared set-up for the Kubernetes-mode end-to-end tests: an API server double with the Gateway
// API CRDs installed (from the upstream standard channel), object builders, a typed-enough
// client for writes, and a recorder that lets a test await the snapshot it expects.

import { readdirSync, readFileSync } from 'node:fs';
import { type KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import type { SnapshotInfo } from '../../src/provider/kubernetes/provider.js';
import type { ResourceSnapshot } from '../../src/resources/kinds.js';
import type {
  Gateway,
  GatewayClass,
  HTTPRoute,
  KubeObject,
  Secret,
  Service,
} from '../../src/resources/types.js';
import { type ApiServer, type ApiServerOptions, startApiServer } from '../apiserver/index.js';
import { waitFor } from '../fixtures/wait.js';

export { waitFor };

export const OURS = 'gatehouse.dev/gateway-controller';
export const GW = 'gateway.networking.k8s.io';
const CRD_DIR = new URL('../../../crds/standard/', import.meta.url);
const CRD_FILES = ['gatewayclasses', 'gateways', 'httproutes', 'referencegrants', 'backendtlspolicies'].map(
  (plural) => `gateway.networking.k8s.io_${plural}.yaml`,
);

/** Starts the double and installs the Gateway API CRDs the provider watches (but the `without` plurals). */
export async function startCluster(
  options: ApiServerOptions = {},
  without: string[] = [],
): Promise<ApiServer> {
  const api = await startApiServer(options);
  await installCrds(api, without);
  return api;
}

let crdCache: KubeObject[] | undefined;

function gatewayApiCrds(): KubeObject[] {
  if (crdCache) return crdCache;
  const available = new Set(readdirSync(CRD_DIR));
  crdCache = CRD_FILES.flatMap((file) => {
    if (!available.has(file)) throw new Error(`missing CRD ${file}`);
    return parseAllDocuments(readFileSync(new URL(file, CRD_DIR), 'utf8'))
      .map((doc) => doc.toJS() as KubeObject | null)
      .filter((crd): crd is KubeObject => crd?.kind === 'CustomResourceDefinition');
  });
  return crdCache;
}

export async function installCrds(api: ApiServer, without: string[] = []): Promise<void> {
  const wanted = gatewayApiCrds().filter((crd) => !without.includes(crd.metadata.name.split('.')[0] ?? ''));
  for (const crd of wanted) await api.seed(structuredClone(crd) as never);
  await waitFor(() => served(api, wanted.length), 'Gateway API CRDs established');
}

/** Installs one more vendored CRD (by plural) into a running double. */
export async function installCrd(api: ApiServer, plural: string): Promise<void> {
  const crd = gatewayApiCrds().find((c) => c.metadata.name.split('.')[0] === plural);
  if (!crd) throw new Error(`no vendored CRD ${plural}`);
  const before = established(api);
  await api.seed(structuredClone(crd) as never);
  await waitFor(() => established(api) > before, `${plural} CRD established`);
}

function served(api: ApiServer, count: number): boolean {
  return established(api) >= count;
}

function established(api: ApiServer): number {
  const crds = api.objects().get('apiextensions.k8s.io/customresourcedefinitions') ?? [];
  const established = crds.filter((c) =>
    ((c as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions ?? []).some(
      (cond) => cond.type === 'Established' && cond.status === 'True',
    ),
  );
  return established.length;
}

export interface RecordedSnapshot {
  snapshot: ResourceSnapshot;
  info: SnapshotInfo;
}

/** Collects snapshots; `next(predicate)` resolves with the first (past or future) that matches. */
export class SnapshotRecorder {
  readonly all: RecordedSnapshot[] = [];
  private waiters: {
    from: number;
    match: (r: RecordedSnapshot) => boolean;
    resolve: (r: RecordedSnapshot) => void;
  }[] = [];

  readonly handler = (snapshot: ResourceSnapshot, info: SnapshotInfo): void => {
    const record = { snapshot, info };
    this.all.push(record);
    this.waiters = this.waiters.filter((w) => {
      if (!w.match(record)) return true;
      w.resolve(record);
      return false;
    });
  };

  get count(): number {
    return this.all.length;
  }

  get last(): RecordedSnapshot | undefined {
    return this.all.at(-1);
  }

  /** The first snapshot at index >= `from` that matches (default: only future ones). */
  next(
    match: (r: RecordedSnapshot) => boolean,
    what: string,
    from = this.all.length,
    timeoutMs = 5000,
  ): Promise<RecordedSnapshot> {
    const past = this.all.slice(from).find(match);
    if (past) return Promise.resolve(past);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for snapshot: ${what}`)), timeoutMs);
      this.waiters.push({
        from,
        match,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
      });
    });
  }
}

/** Writes through client-node's generic object API (discovery-based, like kubectl). */
export class Writer {
  private readonly objects: KubernetesObjectApi;

  constructor(api: ApiServer) {
    this.objects = KubernetesObjectApi.makeApiClient(api.kubeconfig.config);
  }

  async create<T extends KubeObject>(obj: T): Promise<T> {
    return (await this.objects.create(obj as KubernetesObject)) as unknown as T;
  }

  async replace<T extends KubeObject>(obj: T): Promise<T> {
    return (await this.objects.replace(obj as KubernetesObject)) as unknown as T;
  }

  async read<T extends KubeObject>(obj: {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string };
  }): Promise<T> {
    return (await this.objects.read(obj as never)) as unknown as T;
  }

  /** Reads the live object, applies `change`, writes it back (with its resourceVersion). */
  async update<T extends KubeObject>(obj: T, change: (live: T) => T): Promise<T> {
    return this.replace(change(await this.read<T>(obj)));
  }

  async delete(obj: KubeObject): Promise<void> {
    await this.objects.delete(obj as KubernetesObject);
  }
}

// ---- object builders -----------------------------------------------------------------------------

export const gatewayClass = (name: string, controllerName = OURS): GatewayClass => ({
  apiVersion: `${GW}/v1`,
  kind: 'GatewayClass',
  metadata: { name },
  spec: { controllerName },
});

export const gateway = (
  namespace: string,
  name: string,
  className = 'gatehouse',
  certificate?: string,
): Gateway => ({
  apiVersion: `${GW}/v1`,
  kind: 'Gateway',
  metadata: { name, namespace },
  spec: {
    gatewayClassName: className,
    listeners: certificate
      ? [{ name: 'https', port: 443, protocol: 'HTTPS', tls: { certificateRefs: [{ name: certificate }] } }]
      : [{ name: 'http', port: 80, protocol: 'HTTP' }],
  },
});

export const httpRoute = (
  namespace: string,
  name: string,
  parents: { name: string; namespace?: string }[],
  backend = 'web',
  hostnames: string[] = [],
): HTTPRoute => ({
  apiVersion: `${GW}/v1`,
  kind: 'HTTPRoute',
  metadata: { name, namespace },
  spec: { parentRefs: parents, hostnames, rules: [{ backendRefs: [{ name: backend, port: 80 }] }] },
});

export const secret = (namespace: string, name: string, value: string): Secret => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace },
  type: 'Opaque',
  data: { value: Buffer.from(value).toString('base64') },
});

export const service = (namespace: string, name: string, port = 80): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace },
  spec: { ports: [{ port }] },
});

export const names = (objects: { metadata: { name: string } }[]): string[] =>
  objects.map((o) => o.metadata.name);
