// The install manifests agree with the code: RBAC grants exactly what the provider watches and
// the status writer and leader election write, and the Deployment is locked down.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { parseDelayFlag } from '../../src/cli/options.js';
import { DEFAULT_WATCHED_KINDS } from '../../src/provider/kubernetes/provider.js';
import { DEFAULT_CONTROLLER_NAME } from '../../src/translator/types.js';

const deployDir = new URL('../../../deploy/', import.meta.url);

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}
type Doc = { kind: string; metadata: { name: string; namespace?: string }; [k: string]: unknown };

function load(file: string): Doc[] {
  return parseAllDocuments(readFileSync(new URL(file, deployDir), 'utf8')).map((d) => d.toJS() as Doc);
}

const kustomization = load('kustomization.yaml')[0] as unknown as { resources: string[] };
const docs = kustomization.resources.flatMap(load);
const find = (kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata.name === name);
const clusterRules = (find('ClusterRole', 'gatehouse-controller') as unknown as { rules: Rule[] }).rules;

function verbsFor(rules: Rule[], group: string, resource: string): Set<string> {
  return new Set(
    rules
      .filter((r) => r.apiGroups.includes(group) && r.resources.includes(resource))
      .flatMap((r) => r.verbs),
  );
}

test('every kustomization resource exists', () => {
  for (const file of kustomization.resources) assert.ok(existsSync(new URL(file, deployDir)), file);
});

test('the ClusterRole lets the provider list and watch every kind it watches, and write none of them', () => {
  for (const info of DEFAULT_WATCHED_KINDS) {
    const verbs = verbsFor(clusterRules, info.group, info.plural);
    for (const v of ['get', 'list', 'watch']) assert.ok(verbs.has(v), `${v} ${info.plural}`);
    if (
      info.group === 'gateway.networking.k8s.io' ||
      ['secrets', 'configmaps', 'namespaces', 'endpointslices'].includes(info.plural)
    ) {
      for (const v of ['create', 'update', 'patch', 'delete'])
        assert.ok(!verbs.has(v), `no ${v} on ${info.plural}`);
    }
  }
});

test('status is writable only through the status subresource of the four kinds with status', () => {
  for (const resource of ['gatewayclasses', 'gateways', 'httproutes', 'backendtlspolicies']) {
    const verbs = verbsFor(clusterRules, 'gateway.networking.k8s.io', `${resource}/status`);
    assert.deepEqual([...verbs].sort(), ['patch', 'update']);
  }
  assert.equal(verbsFor(clusterRules, 'gateway.networking.k8s.io', 'referencegrants/status').size, 0);
});

test('Leases are reachable only in the controller namespace', () => {
  assert.equal(verbsFor(clusterRules, 'coordination.k8s.io', 'leases').size, 0);
  const role = find('Role', 'gatehouse-leader-election') as unknown as Doc & { rules: Rule[] };
  assert.equal(role.metadata.namespace, 'gatehouse-system');
  assert.deepEqual([...verbsFor(role.rules, 'coordination.k8s.io', 'leases')].sort(), [
    'create',
    'get',
    'update',
  ]);
});

test('the Deployment runs non-root, read-only, without capabilities, probed on the admin port', () => {
  const deployment = find('Deployment', 'gatehouse-controller') as unknown as {
    spec: { template: { spec: Record<string, unknown> & { containers: Record<string, unknown>[] } } };
  };
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0] as {
    args: string[];
    securityContext: Record<string, unknown>;
    readinessProbe: { httpGet: { path: string; port: string } };
    livenessProbe: { httpGet: { path: string; port: string } };
    ports: { name: string; containerPort: number }[];
  };
  assert.deepEqual(pod.securityContext, {
    runAsNonRoot: true,
    runAsUser: 1000,
    runAsGroup: 1000,
    seccompProfile: { type: 'RuntimeDefault' },
  });
  assert.deepEqual(container.securityContext, {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
  });
  assert.equal(container.readinessProbe.httpGet.path, '/readyz');
  assert.equal(container.livenessProbe.httpGet.path, '/healthz');
  assert.equal(container.ports.find((p) => p.name === 'admin')?.containerPort, 9901);
  assert.deepEqual(container.args, [
    ...['--admin-address', '0.0.0.0:9901', '--admin-allow-remote'],
    ...['--drain-delay', '5s', '--drain-timeout', '55s'],
  ]);
});

test('the grace period covers the drain delay and ends after our own drain timeout', () => {
  const deployment = find('Deployment', 'gatehouse-controller') as unknown as {
    spec: { template: { spec: { terminationGracePeriodSeconds: number; containers: { args: string[] }[] } } };
  };
  const pod = deployment.spec.template.spec;
  const args = pod.containers[0]?.args ?? [];
  const flag = (name: string) => parseDelayFlag(args[args.indexOf(name) + 1] ?? '');
  const graceMs = pod.terminationGracePeriodSeconds * 1000;
  assert.ok(flag('--drain-delay') < flag('--drain-timeout'));
  assert.ok(flag('--drain-timeout') < graceMs, 'the drain ends before the kubelet sends SIGKILL');
});

test('the GatewayClass names the controller the translator answers to', () => {
  const cls = find('GatewayClass', 'gatehouse') as unknown as { spec: { controllerName: string } };
  assert.equal(cls.spec.controllerName, DEFAULT_CONTROLLER_NAME);
});
