/**
 * The cluster the suite runs against: by default the API server double (test/apiserver), with its
 * validation hook wired to src/resources/validate.ts so invalid Gateway API objects are refused
 * with a 422 as a real server's CRD schema and CEL rules would; with `kubeconfig`, a real API
 * server. Either way the harness installs the vendored standard-channel CRDs, waits for them to be
 * Established, and reads the bundle version and channel the report names from their annotations.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { errorBody } from '../../../src/resources/field-errors.js';
import { GATEWAY_GROUP } from '../../../src/resources/kinds.js';
import { validateObject } from '../../../src/resources/validate.js';
import { type ApiServer, startApiServer, type ValidationIssue } from '../../apiserver/index.js';
import { type AnyObject, isAlreadyExists, Kube } from './kube.js';
import { CRD_DIR } from './paths.js';
import { sleep } from './t.js';

const CRD_API = 'apiextensions.k8s.io/v1';
const BUNDLE_VERSION = 'gateway.networking.k8s.io/bundle-version';
const CHANNEL = 'gateway.networking.k8s.io/channel';

export interface ClusterOptions {
  /** Use the API server this kubeconfig names instead of starting the double. */
  kubeconfig?: string;
}

export interface CrdBundle {
  version: string;
  channel: string;
}

export class Cluster {
  private constructor(
    readonly kube: Kube,
    /** A kubeconfig file for child processes (the controller). */
    readonly kubeconfigPath: string,
    private readonly tempDir: string,
    private readonly api?: ApiServer,
  ) {}

  static async start(options: ClusterOptions = {}): Promise<Cluster> {
    const tempDir = await mkdtemp(join(tmpdir(), 'gatehouse-conformance-'));
    if (options.kubeconfig) {
      const config = new KubeConfig();
      config.loadFromFile(options.kubeconfig);
      return new Cluster(new Kube(config), options.kubeconfig, tempDir);
    }
    const api = await startApiServer({ validate: validateGatewayApiObject, bookmarkIntervalMs: 5000 });
    const kubeconfigPath = join(tempDir, 'kubeconfig');
    await writeFile(kubeconfigPath, api.kubeconfig.yaml);
    return new Cluster(new Kube(api.kubeconfig.config), kubeconfigPath, tempDir, api);
  }

  get isDouble(): boolean {
    return this.api !== undefined;
  }

  /** Creates (or keeps) every vendored CRD and waits until each is Established. */
  async installCrds(): Promise<CrdBundle> {
    const crds = await loadCrds();
    for (const crd of crds) {
      try {
        await this.kube.create(crd);
      } catch (error) {
        if (!isAlreadyExists(error)) throw error;
      }
    }
    for (const crd of crds) await this.waitEstablished(crd.metadata.name);
    return bundleOf(crds);
  }

  async stop(): Promise<void> {
    await this.api?.stop();
    await rm(this.tempDir, { recursive: true, force: true });
  }

  private async waitEstablished(name: string): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const crd = await this.kube.get({ apiVersion: CRD_API, kind: 'CustomResourceDefinition', name });
      const conditions = (crd?.status as { conditions?: { type: string; status: string }[] } | undefined)
        ?.conditions;
      if (conditions?.some((c) => c.type === 'Established' && c.status === 'True')) return;
      if (Date.now() > deadline) throw new Error(`CRD ${name} was not Established within 30s`);
      await sleep(50);
    }
  }
}

async function loadCrds(): Promise<AnyObject[]> {
  const files = (await readdir(CRD_DIR)).filter((f) => f.endsWith('.yaml')).sort();
  const crds: AnyObject[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(await readFile(join(CRD_DIR, file), 'utf8'))) {
      const obj = doc.toJS() as AnyObject | null;
      if (obj?.kind === 'CustomResourceDefinition') crds.push(obj);
    }
  }
  return crds;
}

/** The one version and channel all CRDs carry; the suite refuses mixed bundles, and so do we. */
function bundleOf(crds: readonly AnyObject[]): CrdBundle {
  const versions = new Set(crds.map((c) => c.metadata.annotations?.[BUNDLE_VERSION]));
  const channels = new Set(crds.map((c) => c.metadata.annotations?.[CHANNEL]));
  const [version] = versions;
  const [channel] = channels;
  if (versions.size !== 1 || channels.size !== 1 || !version || !channel) {
    throw new Error('the installed Gateway API CRDs disagree on bundle version or channel');
  }
  return { version, channel };
}

/**
 * The double's validation hook: Gateway API kinds are checked against their CRD schema and CEL
 * rules by the same code the file provider uses; other kinds are left to the double itself.
 */
function validateGatewayApiObject(gvk: { group: string }, obj: unknown): ValidationIssue[] {
  if (gvk.group !== GATEWAY_GROUP) return [];
  const result = validateObject(obj);
  if (result.outcome !== 'rejected') return [];
  return result.error.causes.map((cause) => ({
    field: cause.field,
    message: errorBody(cause),
    ...(ISSUE_TYPES.has(cause.type) ? { type: cause.type as ValidationIssue['type'] } : {}),
  }));
}

/** The cause reasons the double's Status bodies carry; others are reported as FieldValueInvalid. */
const ISSUE_TYPES = new Set<string>([
  'FieldValueRequired',
  'FieldValueInvalid',
  'FieldValueNotSupported',
  'FieldValueDuplicate',
  'FieldValueForbidden',
  'FieldValueTooMany',
  'FieldValueTooLong',
]);
