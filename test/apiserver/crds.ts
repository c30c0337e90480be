// CustomResourceDefinitions: the subset of apiextensions validation the double enforces on a CRD,
// how a stored CRD becomes a served resource type (group, served versions in the API's version
// priority order, plural, scope, status subresource), and the status the real server's
// controllers write once a CRD is accepted (NamesAccepted and Established conditions,
// acceptedNames, the customresourcecleanup finalizer). Custom resources are not validated
// against the CRD schema here; the server's `validate` hook is where that is plugged in.

import { type FieldError, fieldErrors as fe } from './errors.js';
import { type KubeObject, nowTimestamp, type ResourceType } from './objects.js';
import { asArray, asRecord, dns1123Subdomain } from './validation.js';

export const CRD_RESOURCE = 'apiextensions.k8s.io/customresourcedefinitions';
export const CRD_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

const CRUD_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const SCOPES = ['Cluster', 'Namespaced'];

interface CrdNames {
  plural: string;
  singular: string;
  kind: string;
  listKind: string;
  shortNames: string[];
}

function namesOf(crd: KubeObject): CrdNames {
  const names = asRecord(asRecord(crd.spec).names);
  const kind = String(names.kind ?? '');
  return {
    plural: String(names.plural ?? ''),
    singular: String(names.singular ?? kind.toLowerCase()),
    kind,
    listKind: String(names.listKind ?? `${kind}List`),
    shortNames: asArray(names.shortNames).map(String),
  };
}

/** Kubernetes version priority: GA before beta before alpha, higher numbers first, others last. */
export function compareKubeVersions(a: string, b: string): number {
  const rank = (v: string): [number, number, number] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [3, 0, 0];
    const stage = m[2] === undefined ? 0 : m[2] === 'beta' ? 1 : 2;
    return [stage, -Number(m[1]), -Number(m[3] ?? 0)];
  };
  const [ra, rb] = [rank(a), rank(b)];
  for (let i = 0; i < 3; i++) if (ra[i] !== rb[i]) return ra[i]! - rb[i]!;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function validateCrd(crd: KubeObject): FieldError[] {
  const spec = asRecord(crd.spec);
  const names = namesOf(crd);
  const errors: FieldError[] = [];
  const group = String(spec.group ?? '');
  if (!group) errors.push(fe.required('spec.group'));
  else if (!group.includes('.'))
    errors.push(fe.invalid('spec.group', group, 'should be a domain with at least one dot'));
  if (!names.plural) errors.push(fe.required('spec.names.plural'));
  if (!names.kind) errors.push(fe.required('spec.names.kind'));
  if (crd.metadata.name !== `${names.plural}.${group}`) {
    errors.push(fe.invalid('metadata.name', crd.metadata.name, 'must be spec.names.plural+"."+spec.group'));
  }
  if (!SCOPES.includes(String(spec.scope))) errors.push(fe.notSupported('spec.scope', spec.scope, SCOPES));
  const versions = asArray(spec.versions).map(asRecord);
  if (versions.length === 0)
    errors.push(fe.invalid('spec.versions', [], 'must have exactly one version marked as storage version'));
  else if (versions.filter((v) => v.storage === true).length !== 1) {
    errors.push(
      fe.invalid(
        'spec.versions',
        versions.map((v) => v.name),
        'must have exactly one version marked as storage version',
      ),
    );
  }
  versions.forEach((version, i) => {
    if (!version.name) errors.push(fe.required(`spec.versions[${i}].name`));
    if (!asRecord(version.schema).openAPIV3Schema) {
      errors.push(fe.required(`spec.versions[${i}].schema.openAPIV3Schema`, 'schemas are required'));
    }
  });
  return errors;
}

/** The served resource type a stored CRD describes, or undefined when it serves no version. */
export function resourceTypeFromCrd(crd: KubeObject): ResourceType | undefined {
  const spec = asRecord(crd.spec);
  const names = namesOf(crd);
  const served = asArray(spec.versions)
    .map(asRecord)
    .filter((v) => v.served !== false);
  if (served.length === 0) return undefined;
  return {
    group: String(spec.group),
    versions: served.map((v) => String(v.name)).sort(compareKubeVersions),
    plural: names.plural,
    singular: names.singular,
    kind: names.kind,
    listKind: names.listKind,
    namespaced: spec.scope === 'Namespaced',
    shortNames: names.shortNames,
    // Approximation: the real server decides per version; here any served version's
    // `subresources.status` enables it for all.
    statusSubresource: served.some((v) => asRecord(v.subresources).status !== undefined),
    tracksGeneration: true,
    custom: true,
    verbs: CRUD_VERBS,
    validateName: dns1123Subdomain,
  };
}

function condition(type: string, reason: string, message: string): Record<string, unknown> {
  return { type, status: 'True', lastTransitionTime: nowTimestamp(), reason, message };
}

export function isEstablished(crd: KubeObject): boolean {
  const conditions = asArray(asRecord(crd.status).conditions).map(asRecord);
  return conditions.some((c) => c.type === 'Established' && c.status === 'True');
}

/** What the apiextensions controllers write once they accept a new CRD. */
export function establishedCrd(crd: KubeObject): KubeObject {
  const names = namesOf(crd);
  const storageVersion = asArray(asRecord(crd.spec).versions)
    .map(asRecord)
    .find((v) => v.storage === true)?.name;
  const finalizers = crd.metadata.finalizers ?? [];
  return {
    ...crd,
    metadata: {
      ...crd.metadata,
      finalizers: finalizers.includes(CRD_CLEANUP_FINALIZER)
        ? finalizers
        : [...finalizers, CRD_CLEANUP_FINALIZER],
    },
    status: {
      acceptedNames: {
        plural: names.plural,
        singular: names.singular,
        kind: names.kind,
        listKind: names.listKind,
      },
      conditions: [
        condition('NamesAccepted', 'NoConflicts', 'no conflicts found'),
        condition('Established', 'InitialNamesAccepted', 'the initial names have been accepted'),
      ],
      storedVersions: storageVersion ? [storageVersion] : [],
    },
  };
}

/** The CRD with the Terminating condition its cleanup controller sets while deleting instances. */
export function terminatingCrd(crd: KubeObject): KubeObject {
  const status = asRecord(crd.status);
  const conditions = asArray(status.conditions)
    .map(asRecord)
    .filter((c) => c.type !== 'Terminating');
  const terminating = condition(
    'Terminating',
    'InstanceDeletionInProgress',
    'CustomResource deletion is in progress',
  );
  return { ...crd, status: { ...status, conditions: [...conditions, terminating] } };
}
