// Accepting an object the way a Kubernetes API server handles a create: find its kind from
// apiVersion/kind (Gateway API kinds from the vendored CRDs' served versions, the core kinds
// Gatehouse reads, built-in kinds it does not read are ignored, anything else is the REST
// mapper's `no matches for kind`), decode it (unknown fields pruned with warnings, defaults
// applied, server-managed metadata dropped, status replaced by what the server would return:
// nothing, or the CRD's status default), then validate: ObjectMeta, the CRD's OpenAPI schema,
// list-type invariants and CEL rules, or the core kind's rules. A rejection is an ApiError with
// the server's message and field errors that keep their paths.

import { compileRules, evaluateRules } from './cel.js';
import { decodeCore, validateCoreKind } from './core.js';
import { CORE_SCHEMAS, goTypeError } from './core-schemas.js';
import { type CrdVersion, findCrdVersion } from './crds.js';
import { ApiError, type FieldError, unlocatedInvalid } from './field-errors.js';
import { GATEWAY_GROUP, KINDS } from './kinds.js';
import { validateListTypes } from './list-types.js';
import { metadataTypeError, type NameRule, pruneMetadata, validateObjectMeta } from './metadata.js';
import { compileSchema, validateAgainstSchema } from './schema-validator.js';
import { isPlainObject, pruneAndDefault, type Warning } from './structural.js';
import type { KubeObject } from './types.js';

export type { Warning } from './structural.js';

export interface ValidatorOptions {
  /** Accept 127.0.0.0/8 and ::1 EndpointSlice addresses (file mode); an API server refuses them. */
  allowLoopbackEndpoints?: boolean;
  /** Namespace given to namespaced objects that name none (kubectl uses `default`). */
  defaultNamespace?: string;
}

export interface KindRef {
  group: string;
  version: string;
  kind: string;
  namespaced: boolean;
}

export type ValidationResult =
  | { outcome: 'accepted'; object: KubeObject; kind: KindRef; warnings: Warning[] }
  | { outcome: 'rejected'; error: ApiError; warnings: Warning[] }
  | { outcome: 'ignored'; kind: KindRef };

type Obj = Record<string, unknown>;

const CORE_KINDS: Readonly<
  Record<string, { group: string; version: string; namespaced: boolean; name: NameRule }>
> = {
  Namespace: { group: '', version: 'v1', namespaced: false, name: 'label' },
  Service: { group: '', version: 'v1', namespaced: true, name: 'dns1035' },
  Secret: { group: '', version: 'v1', namespaced: true, name: 'subdomain' },
  ConfigMap: { group: '', version: 'v1', namespaced: true, name: 'subdomain' },
  EndpointSlice: { group: 'discovery.k8s.io', version: 'v1', namespaced: true, name: 'subdomain' },
};

/** Built-in kinds an API server knows and Gatehouse does not read: accepted and ignored. */
const IGNORED_BUILTINS = new Set([
  'v1/Pod',
  'v1/ServiceAccount',
  'v1/Endpoints',
  'v1/PersistentVolumeClaim',
  'v1/PersistentVolume',
  'v1/ReplicationController',
  'v1/LimitRange',
  'v1/ResourceQuota',
  'v1/PodTemplate',
  'apps/v1/Deployment',
  'apps/v1/StatefulSet',
  'apps/v1/DaemonSet',
  'apps/v1/ReplicaSet',
  'batch/v1/Job',
  'batch/v1/CronJob',
  'networking.k8s.io/v1/Ingress',
  'networking.k8s.io/v1/IngressClass',
  'networking.k8s.io/v1/NetworkPolicy',
  'policy/v1/PodDisruptionBudget',
  'rbac.authorization.k8s.io/v1/Role',
  'rbac.authorization.k8s.io/v1/RoleBinding',
  'rbac.authorization.k8s.io/v1/ClusterRole',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding',
  'apiextensions.k8s.io/v1/CustomResourceDefinition',
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding',
  'autoscaling/v2/HorizontalPodAutoscaler',
  'coordination.k8s.io/v1/Lease',
  'scheduling.k8s.io/v1/PriorityClass',
]);

/** Fields the API server sets itself on create; a file's values (e.g. from `kubectl get`) are dropped. */
const SERVER_MANAGED = [
  'uid',
  'resourceVersion',
  'generation',
  'managedFields',
  'selfLink',
  'deletionTimestamp',
];

/** Decodes, defaults and validates one object; the input is not modified. */
export function validateObject(input: unknown, options: ValidatorOptions = {}): ValidationResult {
  if (!isPlainObject(input)) {
    return reject(
      new ApiError(
        `json: cannot unmarshal ${Array.isArray(input) ? 'array' : typeof input} into Go value of type map[string]interface {}`,
        'BadRequest',
        [],
      ),
    );
  }
  const obj = structuredClone(input);
  const ref = resolveKind(obj);
  if (ref instanceof ApiError) return reject(ref);
  if (IGNORED_BUILTINS.has(`${ref.group ? `${ref.group}/` : ''}${ref.version}/${ref.kind}`)) {
    return { outcome: 'ignored', kind: { ...ref, namespaced: true } };
  }
  const crd = ref.group === GATEWAY_GROUP ? findCrdVersion(ref.group, ref.version, ref.kind) : undefined;
  const core = CORE_KINDS[ref.kind];
  const isCore = core !== undefined && core.group === ref.group && core.version === ref.version;
  if (!crd && !isCore) return reject(ApiError.noMatch(ref.kind, String(obj.apiVersion)));
  // A literal, not `{ ...ref, namespaced }`: on Node 20 that gives each of 10,000 refs a hidden class.
  const namespaced = crd ? crd.namespaced : core!.namespaced;
  const kind: KindRef = { group: ref.group, version: ref.version, kind: ref.kind, namespaced };

  const metaFailure = metadataTypeError(obj.metadata ?? {});
  if (metaFailure)
    return reject(ApiError.undecodable(kind.kind, kind.version, metaFailure.reason, metaFailure.path));
  const warnings = prepareMetadata(obj, kind.namespaced, options);
  delete obj.status;
  const result = crd ? validateCustomResource(obj, crd) : validateCore(obj, kind, options);
  warnings.push(...result.warnings);
  if (result.error) return reject(result.error, warnings);
  return { outcome: 'accepted', object: obj as unknown as KubeObject, kind, warnings };
}

/**
 * Compiles the schemas and CEL rules of the Gateway API kinds Gatehouse reads, which otherwise
 * happens on the first object of each kind (a few hundred ms for HTTPRoute): a long-running
 * process calls this at start so its first edit applies as fast as the next ones.
 */
export function precompileValidation(): void {
  for (const info of KINDS.filter((k) => k.group === GATEWAY_GROUP)) {
    const crd = findCrdVersion(info.group, info.version, info.kind);
    if (!crd) continue;
    compileSchema(schemaKey(crd), crd.schema);
    compileRules(crd.schema);
  }
}

const schemaKey = (crd: CrdVersion) => `${crd.group}/${crd.version}/${crd.kind}`;

function reject(error: ApiError, warnings: Warning[] = []): ValidationResult {
  return { outcome: 'rejected', error, warnings };
}

function resolveKind(obj: Obj): Omit<KindRef, 'namespaced'> | ApiError {
  const raw = JSON.stringify(obj);
  if (typeof obj.kind !== 'string' || obj.kind === '') {
    return new ApiError(`Object 'Kind' is missing in '${raw}'`, 'BadRequest', []);
  }
  if (typeof obj.apiVersion !== 'string' || obj.apiVersion === '') {
    return new ApiError(`Object 'apiVersion' is missing in '${raw}'`, 'BadRequest', []);
  }
  const parts = obj.apiVersion.split('/');
  if (parts.length > 2) return ApiError.noMatch(obj.kind, obj.apiVersion);
  const [group, version] = parts.length === 2 ? parts : ['', parts[0]];
  return { group: group!, version: version!, kind: obj.kind };
}

function prepareMetadata(obj: Obj, namespaced: boolean, options: ValidatorOptions): Warning[] {
  const meta = (isPlainObject(obj.metadata) ? obj.metadata : {}) as Obj;
  obj.metadata = meta;
  for (const field of SERVER_MANAGED) delete meta[field];
  if (!namespaced) delete meta.namespace;
  else if (!meta.namespace) meta.namespace = options.defaultNamespace ?? 'default';
  return pruneMetadata(meta);
}

interface KindResult {
  error?: ApiError;
  warnings: Warning[];
}

function validateCustomResource(obj: Obj, crd: CrdVersion): KindResult {
  const warnings = pruneAndDefault(obj, crd.schema, { skipRootKeys: ['metadata'] });
  const errors: FieldError[] = [
    ...validateObjectMeta(obj.metadata as Obj, 'subdomain', crd.namespaced),
    ...validateAgainstSchema(schemaKey(crd), crd.schema, obj),
    ...validateListTypes(obj, crd.schema),
  ];
  if (errors.some(isBlocking)) {
    errors.push(
      unlocatedInvalid(
        [],
        null,
        'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
      ),
    );
  } else {
    errors.push(...evaluateRules(obj, crd.schema));
  }
  return { warnings, error: invalidError(crd.kind, crd.group, obj, errors) };
}

/** Schema errors that make the API server skip the CEL rules (the object lacks their shape). */
function isBlocking(err: FieldError): boolean {
  return [
    'FieldValueNotSupported',
    'FieldValueRequired',
    'FieldValueTooLong',
    'FieldValueTooMany',
    'FieldValueTypeInvalid',
  ].includes(err.type);
}

function validateCore(obj: Obj, kind: KindRef, options: ValidatorOptions): KindResult {
  const schema = CORE_SCHEMAS[kind.kind]!;
  const failure = goTypeError(obj, schema) ?? decodeCore(kind.kind, obj);
  if (failure)
    return {
      warnings: [],
      error: ApiError.undecodable(kind.kind, kind.version, failure.reason, failure.path),
    };
  const warnings = pruneAndDefault(obj, schema, { skipRootKeys: ['metadata'] });
  const errors = [
    ...validateObjectMeta(obj.metadata as Obj, CORE_KINDS[kind.kind]!.name, kind.namespaced),
    ...validateCoreKind(kind.kind, obj, { allowLoopbackEndpoints: options.allowLoopbackEndpoints ?? false }),
  ];
  return { warnings, error: invalidError(kind.kind, kind.group, obj, errors) };
}

function invalidError(kind: string, group: string, obj: Obj, errors: FieldError[]): ApiError | undefined {
  if (errors.length === 0) return undefined;
  const name = (obj.metadata as Obj).name;
  return ApiError.invalid(kind, group, typeof name === 'string' ? name : '', errors);
}
