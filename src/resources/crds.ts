// The vendored Gateway API CRDs (`crds/standard` at the package root): finds the folder from
// this module's location, and loads one CRD file the first time its kind is needed (parsing
// them all up front would cost startup time for kinds a deployment never uses). Answers "which
// schema validates kind K in group/version G/V", honouring only the versions the CRD serves.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { GATEWAY_GROUP } from './kinds.js';

/** The subset of an OpenAPI v3 schema node (apiextensions JSONSchemaProps) this code reads. */
export interface SchemaNode {
  type?: string;
  format?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  oneOf?: SchemaNode[];
  anyOf?: SchemaNode[];
  allOf?: SchemaNode[];
  not?: SchemaNode;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-validations'?: ValidationRule[];
  [keyword: string]: unknown;
}

export interface ValidationRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
  fieldPath?: string;
  optionalOldSelf?: boolean;
}

export interface CrdVersion {
  group: string;
  kind: string;
  version: string;
  namespaced: boolean;
  schema: SchemaNode;
}

interface CrdDocument {
  spec: {
    group: string;
    names: { kind: string };
    scope: 'Namespaced' | 'Cluster';
    versions: { name: string; served: boolean; schema?: { openAPIV3Schema: SchemaNode } }[];
  };
}

/** Plural resource name of each standard-channel kind; the CRD file is `<group>_<plural>.yaml`. */
const PLURALS: Readonly<Record<string, string>> = {
  GatewayClass: 'gatewayclasses',
  Gateway: 'gateways',
  HTTPRoute: 'httproutes',
  GRPCRoute: 'grpcroutes',
  TLSRoute: 'tlsroutes',
  TCPRoute: 'tcproutes',
  UDPRoute: 'udproutes',
  ListenerSet: 'listenersets',
  ReferenceGrant: 'referencegrants',
  BackendTLSPolicy: 'backendtlspolicies',
};

let crdDir: string | undefined;
const loaded = new Map<string, CrdDocument | null>();

/** `crds/standard`, found by walking up from this module (src/ or dist/src/ layouts). */
export function crdDirectory(): string {
  if (crdDir) return crdDir;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'crds', 'standard');
    if (existsSync(candidate)) {
      crdDir = candidate;
      return candidate;
    }
    dir = dirname(dir);
  }
  throw new Error('Gateway API CRDs not found: expected a crds/standard folder at the package root');
}

/** Whether `group` is served by the vendored CRDs (so unknown kinds in it are errors). */
export function isCrdGroup(group: string): boolean {
  return group === GATEWAY_GROUP;
}

/** The schema for kind/version in group, or undefined if no CRD serves that combination. */
export function findCrdVersion(group: string, version: string, kind: string): CrdVersion | undefined {
  if (!isCrdGroup(group) || !Object.hasOwn(PLURALS, kind)) return undefined;
  const crd = loadCrd(group, kind);
  const served = crd?.spec.versions.find((v) => v.name === version && v.served);
  const schema = served?.schema?.openAPIV3Schema;
  if (!crd || !schema) return undefined;
  return { group, kind, version, namespaced: crd.spec.scope === 'Namespaced', schema };
}

function loadCrd(group: string, kind: string): CrdDocument | null {
  const key = `${group}/${kind}`;
  const cached = loaded.get(key);
  if (cached !== undefined) return cached;
  const file = join(crdDirectory(), `${group}_${PLURALS[kind]}.yaml`);
  let crd: CrdDocument | null = null;
  if (existsSync(file)) {
    // The files are trusted upstream data: skipping the duplicate-key check halves parse time.
    const doc = parse(readFileSync(file, 'utf8'), { uniqueKeys: false }) as CrdDocument;
    crd = doc.spec.group === group && doc.spec.names.kind === kind ? doc : null;
  }
  loaded.set(key, crd);
  return crd;
}
