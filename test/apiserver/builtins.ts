// The built-in resource types the double serves, each with what the real server does to it on
// write: defaulting (Service cluster IPs and ports, Deployment fields, EndpointSlice port
// protocol, the namespace name label) and validation. Only the kinds Gatehouse touches are
// here; anything else gets a 404 exactly as an unknown resource would.

import type { DefaultingContext, KubeObject, ResourceType } from './objects.js';
import {
  asArray,
  asRecord,
  dns1035Label,
  dns1123Label,
  dns1123Subdomain,
  validateDeployment,
  validateEndpointSlice,
  validateLease,
  validateService,
} from './validation.js';

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

type BuiltinSpec = Partial<ResourceType> & Pick<ResourceType, 'plural' | 'kind'>;

function builtin(group: string, version: string, spec: BuiltinSpec): ResourceType {
  return {
    group,
    versions: [version],
    singular: spec.kind.toLowerCase(),
    listKind: `${spec.kind}List`,
    namespaced: true,
    shortNames: [],
    statusSubresource: false,
    tracksGeneration: false,
    custom: false,
    verbs: ALL_VERBS,
    validateName: dns1123Subdomain,
    ...spec,
  };
}

function defaultNamespace(obj: KubeObject): void {
  const name = obj.metadata.name ?? '';
  obj.metadata.labels = { ...obj.metadata.labels, 'kubernetes.io/metadata.name': name };
  obj.spec = { finalizers: ['kubernetes'], ...asRecord(obj.spec) };
  if (!asRecord(obj.status).phase) obj.status = { ...asRecord(obj.status), phase: 'Active' };
}

/** The Service strategy's patchAllocatedValues: an update that omits allocated values keeps them. */
function keepAllocatedValues(spec: Record<string, unknown>, live: KubeObject): void {
  const old = asRecord(live.spec);
  if (spec.clusterIP === undefined || spec.clusterIP === '') {
    if (old.clusterIP !== undefined) spec.clusterIP = old.clusterIP;
    if (spec.clusterIPs === undefined && old.clusterIPs !== undefined) spec.clusterIPs = old.clusterIPs;
  }
  const oldPorts = asArray(old.ports).map(asRecord);
  for (const port of asArray(spec.ports).map(asRecord)) {
    const match = oldPorts.find(
      (p) => p.port === port.port && (p.protocol ?? 'TCP') === (port.protocol ?? 'TCP'),
    );
    if (port.nodePort === undefined && match?.nodePort !== undefined) port.nodePort = match.nodePort;
  }
}

function defaultService(obj: KubeObject, ctx: DefaultingContext): void {
  const spec = asRecord(obj.spec);
  obj.spec = spec;
  if (ctx.live) keepAllocatedValues(spec, ctx.live);
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  if (spec.type === 'ExternalName') return;
  if (spec.clusterIP === undefined || spec.clusterIP === '') spec.clusterIP = ctx.allocateClusterIP();
  spec.clusterIPs ??= [spec.clusterIP];
  spec.ipFamilies ??= ['IPv4'];
  spec.ipFamilyPolicy ??= 'SingleStack';
  spec.internalTrafficPolicy ??= 'Cluster';
  const external = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
  if (external) spec.externalTrafficPolicy ??= 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  for (const port of asArray(spec.ports).map(asRecord)) {
    port.protocol ??= 'TCP';
    port.targetPort ??= port.port;
    if (external && port.nodePort === undefined) port.nodePort = ctx.allocateNodePort();
  }
}

function defaultDeployment(obj: KubeObject): void {
  const spec = asRecord(obj.spec);
  obj.spec = spec;
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  spec.strategy ??= { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } };
}

function defaultEndpointSlice(obj: KubeObject): void {
  for (const port of asArray(obj.ports).map(asRecord)) {
    port.protocol ??= 'TCP';
    port.name ??= '';
  }
}

const MICRO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** The Go JSON decoder's complaint when a LeaseSpec field has the wrong type. */
function leaseDecodeError(obj: KubeObject): string | undefined {
  const spec = asRecord(obj.spec);
  const fields: [string, 'string' | 'int32' | 'MicroTime'][] = [
    ['holderIdentity', 'string'],
    ['leaseDurationSeconds', 'int32'],
    ['leaseTransitions', 'int32'],
    ['acquireTime', 'MicroTime'],
    ['renewTime', 'MicroTime'],
  ];
  for (const [field, type] of fields) {
    const value = spec[field];
    if (value === undefined || value === null) continue;
    const ok =
      type === 'int32'
        ? Number.isInteger(value)
        : typeof value === 'string' && (type === 'string' || MICRO_TIME.test(value));
    if (ok) continue;
    const prefix = 'Lease in version "v1" cannot be handled as a Lease';
    if (type === 'MicroTime' && typeof value === 'string') {
      return `${prefix}: parsing time "${value}" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "${value}" as "2006"`;
    }
    return `${prefix}: json: cannot unmarshal ${typeof value} into Go struct field LeaseSpec.spec.${field} of type ${type === 'MicroTime' ? 'v1.MicroTime' : type}`;
  }
  return undefined;
}

export function builtinResourceTypes(): ResourceType[] {
  return [
    builtin('', 'v1', {
      plural: 'namespaces',
      kind: 'Namespace',
      namespaced: false,
      shortNames: ['ns'],
      statusSubresource: true,
      verbs: ALL_VERBS.filter((v) => v !== 'deletecollection'),
      validateName: dns1123Label,
      defaults: defaultNamespace,
    }),
    builtin('', 'v1', {
      plural: 'services',
      kind: 'Service',
      shortNames: ['svc'],
      statusSubresource: true,
      verbs: ALL_VERBS,
      validateName: dns1035Label,
      defaults: defaultService,
      validate: validateService,
    }),
    builtin('', 'v1', { plural: 'secrets', kind: 'Secret' }),
    builtin('', 'v1', { plural: 'configmaps', kind: 'ConfigMap', shortNames: ['cm'] }),
    builtin('', 'v1', { plural: 'serviceaccounts', kind: 'ServiceAccount', shortNames: ['sa'] }),
    builtin('', 'v1', { plural: 'pods', kind: 'Pod', shortNames: ['po'], statusSubresource: true }),
    builtin('discovery.k8s.io', 'v1', {
      plural: 'endpointslices',
      kind: 'EndpointSlice',
      defaults: defaultEndpointSlice,
      validate: validateEndpointSlice,
    }),
    builtin('apps', 'v1', {
      plural: 'deployments',
      kind: 'Deployment',
      shortNames: ['deploy'],
      statusSubresource: true,
      tracksGeneration: true,
      defaults: defaultDeployment,
      validate: validateDeployment,
    }),
    builtin('coordination.k8s.io', 'v1', {
      plural: 'leases',
      kind: 'Lease',
      validate: validateLease,
      decodeError: leaseDecodeError,
    }),
    builtin('rbac.authorization.k8s.io', 'v1', {
      plural: 'clusterroles',
      kind: 'ClusterRole',
      namespaced: false,
    }),
    builtin('rbac.authorization.k8s.io', 'v1', {
      plural: 'clusterrolebindings',
      kind: 'ClusterRoleBinding',
      namespaced: false,
    }),
    builtin('rbac.authorization.k8s.io', 'v1', { plural: 'roles', kind: 'Role' }),
    builtin('rbac.authorization.k8s.io', 'v1', { plural: 'rolebindings', kind: 'RoleBinding' }),
    builtin('apiextensions.k8s.io', 'v1', {
      plural: 'customresourcedefinitions',
      kind: 'CustomResourceDefinition',
      namespaced: false,
      shortNames: ['crd', 'crds'],
      statusSubresource: true,
      tracksGeneration: true,
    }),
  ];
}

/** The namespaces a fresh cluster has. */
export const INITIAL_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
