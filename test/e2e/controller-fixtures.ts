// Set-up for `gatehouse controller` end-to-end tests: the API server double with the repository's
// Gateway API CRDs installed by POSTing them (as `kubectl apply -f crds/standard` would), custom
// resources validated like a real server does (CRD schema and CEL rules, through
// src/resources/validate.ts), a kubeconfig file for --kubeconfig, the controller as a child
// process, and readers for what the controller wrote back.

import { readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { GATEWAY_GROUP } from '../../src/resources/kinds.js';
import type { Condition, KubeObject } from '../../src/resources/types.js';
import { validateObject } from '../../src/resources/validate.js';
import {
  type ApiServer,
  type ApiServerOptions,
  type RequestRecord,
  startApiServer,
  type ValidateHook,
} from '../apiserver/index.js';
import {
  type GatehouseProcess,
  REPO_ROOT,
  type StartOptions,
  startGatehouse,
  type TempDir,
  tempDir,
} from './cli-process.js';
import { Writer, waitFor } from './kube-fixtures.js';

const CRD_DIR = join(REPO_ROOT, 'crds', 'standard');

/** Gateway API objects checked against their CRD schema and CEL rules, as the API server does. */
const validateGatewayApi: ValidateHook = (gvk, obj) => {
  if (gvk.group !== GATEWAY_GROUP) return [];
  const result = validateObject(obj);
  if (result.outcome !== 'rejected') return [];
  return result.error.causes.map((c) => ({ field: c.field, message: c.detail || String(c.badValue) }));
};

export interface Cluster {
  api: ApiServer;
  writer: Writer;
  dir: TempDir;
  /** Path of a kubeconfig file for this server. */
  kubeconfig: string;
  /** `gatehouse controller --kubeconfig <file> --bind 127.0.0.1 <args>`. */
  controller(args?: string[], options?: StartOptions): Promise<GatehouseProcess>;
  dispose(): Promise<void>;
}

export async function startCluster(options: ApiServerOptions = {}): Promise<Cluster> {
  const api = await startApiServer({ bookmarkIntervalMs: 200, ...options, validate: validateGatewayApi });
  const writer = new Writer(api);
  const dir = await tempDir('gatehouse-kube-');
  const kubeconfig = dir.file('kubeconfig.yaml');
  await writeFile(kubeconfig, api.kubeconfig.yaml);
  await installCrds(writer, api);
  const processes: GatehouseProcess[] = [];
  return {
    api,
    writer,
    dir,
    kubeconfig,
    async controller(args = [], startOptions = {}) {
      const gatehouse = await startGatehouse(
        ['controller', '--kubeconfig', kubeconfig, '--bind', '127.0.0.1', ...args],
        startOptions,
      );
      processes.push(gatehouse);
      return gatehouse;
    },
    async dispose() {
      await Promise.all(processes.map((p) => p.stop()));
      await api.stop();
      await dir.dispose();
    },
  };
}

async function installCrds(writer: Writer, api: ApiServer): Promise<void> {
  const files = readdirSync(CRD_DIR).filter((f) => f.endsWith('.yaml'));
  let count = 0;
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(join(CRD_DIR, file), 'utf8'))) {
      const crd = doc.toJS() as KubeObject | null;
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      await writer.create(crd);
      count++;
    }
  }
  await waitFor(() => establishedCrds(api) >= count, 'CRDs established');
}

function establishedCrds(api: ApiServer): number {
  const crds = api.objects().get('apiextensions.k8s.io/customresourcedefinitions') ?? [];
  return crds.filter((c) =>
    ((c as { status?: { conditions?: Condition[] } }).status?.conditions ?? []).some(
      (cond) => cond.type === 'Established' && cond.status === 'True',
    ),
  ).length;
}

// ---- reading what the controller wrote --------------------------------------------------------

const PLURAL_KEYS: Record<string, string> = {
  GatewayClass: `${GATEWAY_GROUP}/gatewayclasses`,
  Gateway: `${GATEWAY_GROUP}/gateways`,
  HTTPRoute: `${GATEWAY_GROUP}/httproutes`,
};

/** The stored object (with its status) as the API server has it now. */
export function stored<T extends KubeObject>(api: ApiServer, kind: string, name: string): T | undefined {
  return api
    .objects()
    .get(PLURAL_KEYS[kind] ?? kind)
    ?.find((o) => o.metadata.name === name) as T | undefined;
}

/** Status writes (PATCH or PUT of a /status subresource) in the request log. */
export function statusWrites(
  api: ApiServer,
  filter: (r: RequestRecord) => boolean = () => true,
): RequestRecord[] {
  return api
    .requests()
    .filter(
      (r) => (r.method === 'PATCH' || r.method === 'PUT') && r.resource?.endsWith('/status') && filter(r),
    );
}

/** Polls the stored object until `check` returns a value. */
export async function storedUntil<T extends KubeObject, R>(
  api: ApiServer,
  kind: string,
  name: string,
  check: (obj: T) => R | undefined,
  what: string,
  timeoutMs = 5000,
): Promise<R> {
  let result: R | undefined;
  await waitFor(
    () => {
      const obj = stored<T>(api, kind, name);
      result = obj ? check(obj) : undefined;
      return result !== undefined;
    },
    what,
    timeoutMs,
  );
  return result as R;
}

export function condition(conditions: Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}
