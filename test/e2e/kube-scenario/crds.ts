// The scenario's first check: the cluster serves the Gateway API kinds the controller watches
// (their CRDs exist, are Established and serve the version Gatehouse reads). Otherwise it stops
// with the command that installs them, before creating anything. The bundle version the CRDs
// were installed from is reported, with a note when it is not the one Gatehouse is built for.

import { GATEWAY_GROUP, KINDS } from '../../../src/resources/kinds.js';
import type { Condition, KubeObject } from '../../../src/resources/types.js';
import { describeError, httpCode, type ScenarioCluster } from './cluster.js';

export const GATEWAY_API_VERSION = 'v1.6.1';
export const INSTALL_COMMAND = `kubectl apply --server-side -f https://github.com/kubernetes-sigs/gateway-api/releases/download/${GATEWAY_API_VERSION}/standard-install.yaml`;
const BUNDLE_VERSION = 'gateway.networking.k8s.io/bundle-version';

interface Crd extends KubeObject {
  spec: { versions: { name: string; served: boolean }[] };
  status?: { conditions?: Condition[] };
}

/** Throws a message that says what is missing and how to install it; returns the bundle versions. */
export async function checkGatewayApiCrds(cluster: ScenarioCluster): Promise<string[]> {
  const problems: string[] = [];
  const bundles = new Set<string>();
  for (const kind of KINDS.filter((k) => k.group === GATEWAY_GROUP)) {
    const name = `${kind.plural}.${kind.group}`;
    const crd = await readCrd(cluster, name);
    if (!crd) {
      problems.push(`CRD ${name} is not installed`);
      continue;
    }
    const bundle = crd.metadata.annotations?.[BUNDLE_VERSION];
    if (bundle) bundles.add(bundle);
    if (!crd.spec.versions.some((v) => v.name === kind.version && v.served)) {
      problems.push(`CRD ${name} does not serve ${kind.version} (installed: ${bundle ?? 'unknown version'})`);
    }
    const established = crd.status?.conditions?.find((c) => c.type === 'Established');
    if (established?.status !== 'True') problems.push(`CRD ${name} is not Established yet`);
  }
  if (problems.length > 0) {
    throw new Error(
      `the Gateway API CRDs are not served: ${problems.join('; ')}.\n` +
        `Install the standard channel (${GATEWAY_API_VERSION}) and run again:\n  ${INSTALL_COMMAND}`,
    );
  }
  return [...bundles];
}

async function readCrd(cluster: ScenarioCluster, name: string): Promise<Crd | undefined> {
  try {
    return await cluster.read<Crd>({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name },
    });
  } catch (err) {
    const code = httpCode(err);
    if (code === 401 || code === 403) {
      throw new Error(
        `cannot read CustomResourceDefinition ${name} (${describeError(err)}): the scenario needs ` +
          'rights to read CRDs and to create Namespaces, GatewayClasses and Leases (cluster-admin on a test cluster)',
      );
    }
    throw new Error(`cannot reach the API server at ${cluster.server}: ${describeError(err)}`);
  }
}
