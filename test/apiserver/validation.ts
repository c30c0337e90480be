// Validation the real API server enforces on objects it serves, rewritten from
// k8s.io/apimachinery/pkg/util/validation (name formats and their exact messages),
// apimachinery/pkg/api/validation (ObjectMeta) and kubernetes pkg/apis/{core,discovery,
// coordination,apps}/validation for the kinds the double serves. Each function returns field
// errors; the caller turns a non-empty list into a 422 Invalid Status.

import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { type FieldError, fieldErrors as fe } from './errors.js';
import type { KubeObject } from './objects.js';

// ---- name formats (apimachinery util/validation) ----

const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`;
const DNS1035_LABEL = '[a-z]([-a-z0-9]*[a-z0-9])?';
const LABEL_VALUE = '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?';
const QUALIFIED_NAME_PART = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';

/** apimachinery's RegexError: `msg (e.g. 'a',  or 'b', regex used for validation is '...')`. */
function regexError(message: string, regex: string, ...examples: string[]): string {
  const shown = examples.map((e, i) => `${i > 0 ? ' or ' : ''}'${e}', `).join('');
  return `${message} (e.g. ${shown}regex used for validation is '${regex}')`;
}

function matches(regex: string, value: string): boolean {
  return new RegExp(`^${regex}$`).test(value);
}

const maxLength = (n: number): string => `must be no more than ${n} characters`;

export function dns1123Subdomain(value: string): string[] {
  const errors = value.length > 253 ? [maxLength(253)] : [];
  if (!matches(DNS1123_SUBDOMAIN, value)) {
    const base =
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
    errors.push(regexError(base, DNS1123_SUBDOMAIN, 'example.com'));
  }
  return errors;
}

export function dns1123Label(value: string): string[] {
  const errors = value.length > 63 ? [maxLength(63)] : [];
  if (!matches(DNS1123_LABEL, value)) {
    const base =
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
    errors.push(regexError(base, DNS1123_LABEL, 'my-name', '123-abc'));
  }
  return errors;
}

export function dns1035Label(value: string): string[] {
  const errors = value.length > 63 ? [maxLength(63)] : [];
  if (!matches(DNS1035_LABEL, value)) {
    const base =
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
    errors.push(regexError(base, DNS1035_LABEL, 'my-name', 'abc-123'));
  }
  return errors;
}

function labelValue(value: string): string[] {
  const errors = value.length > 63 ? [maxLength(63)] : [];
  if (!matches(LABEL_VALUE, value)) {
    const base =
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
    errors.push(regexError(base, LABEL_VALUE, 'MyValue', 'my_value', '12345'));
  }
  return errors;
}

/** A qualified name (label or annotation key): an optional DNS subdomain prefix and a name part. */
function qualifiedName(value: string): string[] {
  const slash = value.lastIndexOf('/');
  const name = slash >= 0 ? value.slice(slash + 1) : value;
  const prefix = slash >= 0 ? value.slice(0, slash) : '';
  const errors = slash >= 0 ? dns1123Subdomain(prefix).map((m) => `prefix part ${m}`) : [];
  if (name.length === 0) errors.push('name part must be non-empty');
  else if (name.length > 63) errors.push(`name part ${maxLength(63)}`);
  if (name.length > 0 && !matches(QUALIFIED_NAME_PART, name)) {
    const base =
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
    errors.push(regexError(base, QUALIFIED_NAME_PART, 'MyName', 'my.name', '123-abc'));
  }
  return errors;
}

export type NameValidator = (name: string) => string[];

// ---- ObjectMeta (apimachinery api/validation) ----

export function validateObjectMeta(
  obj: KubeObject,
  namespaced: boolean,
  validateName: NameValidator,
): FieldError[] {
  const meta = obj.metadata;
  const errors: FieldError[] = [];
  if (!meta.name) errors.push(fe.required('metadata.name', 'name or generateName is required'));
  else for (const msg of validateName(meta.name)) errors.push(fe.invalid('metadata.name', meta.name, msg));
  if (namespaced && !meta.namespace) errors.push(fe.required('metadata.namespace'));
  if (!namespaced && meta.namespace)
    errors.push(fe.forbidden('metadata.namespace', 'not allowed on this type'));
  for (const [key, value] of Object.entries(meta.labels ?? {})) {
    for (const msg of qualifiedName(key)) errors.push(fe.invalid('metadata.labels', key, msg));
    for (const msg of labelValue(String(value))) errors.push(fe.invalid('metadata.labels', value, msg));
  }
  for (const key of Object.keys(meta.annotations ?? {})) {
    for (const msg of qualifiedName(key.toLowerCase()))
      errors.push(fe.invalid('metadata.annotations', key, msg));
  }
  return errors;
}

/** What ValidateObjectMetaUpdate adds: immutable identity and the rule on new finalizers. */
export function validateObjectMetaUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const errors: FieldError[] = [];
  const oldFinalizers = new Set(old.metadata.finalizers ?? []);
  const added = (obj.metadata.finalizers ?? []).filter((f) => !oldFinalizers.has(f));
  if (old.metadata.deletionTimestamp && added.length > 0) {
    const detail = `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`;
    errors.push(fe.forbidden('metadata.finalizers', detail));
  }
  return errors;
}

// ---- helpers over untyped object content ----

export type Json = Record<string, unknown>;

export function asRecord(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function portNumber(field: string, value: unknown): FieldError[] {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535) return [];
  return [fe.invalid(field, value, 'must be between 1 and 65535, inclusive')];
}

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

// ---- core/v1 Service ----

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];

export function validateService(obj: KubeObject): FieldError[] {
  const spec = asRecord(obj.spec);
  const errors: FieldError[] = [];
  const type = spec.type ?? 'ClusterIP';
  if (!SERVICE_TYPES.includes(String(type))) errors.push(fe.notSupported('spec.type', type, SERVICE_TYPES));
  const ports = asArray(spec.ports).map(asRecord);
  if (ports.length === 0 && type !== 'ExternalName' && spec.clusterIP !== 'None') {
    errors.push(fe.required('spec.ports'));
  }
  const names = new Set<string>();
  const portKeys = new Set<string>();
  ports.forEach((port, i) => {
    const at = `spec.ports[${i}]`;
    const name = typeof port.name === 'string' ? port.name : '';
    if (ports.length > 1 && name === '') errors.push(fe.required(`${at}.name`));
    if (name !== '') {
      for (const msg of dns1123Label(name)) errors.push(fe.invalid(`${at}.name`, name, msg));
      if (names.has(name)) errors.push(fe.duplicate(`${at}.name`, name));
      names.add(name);
    }
    errors.push(...portNumber(`${at}.port`, port.port));
    const protocol = port.protocol ?? 'TCP';
    if (!PROTOCOLS.includes(String(protocol)))
      errors.push(fe.notSupported(`${at}.protocol`, protocol, PROTOCOLS));
    if (typeof port.targetPort === 'number') errors.push(...portNumber(`${at}.targetPort`, port.targetPort));
    const key = `${port.port}/${protocol}`;
    if (portKeys.has(key)) errors.push(fe.duplicate(at, { port: port.port, protocol }));
    portKeys.add(key);
  });
  return errors;
}

// ---- discovery.k8s.io/v1 EndpointSlice ----

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];
const MAX_ENDPOINTS = 1000;
const MAX_ADDRESSES = 100;

function blockList(ranges: [string, number, 'ipv4' | 'ipv6'][]): BlockList {
  const list = new BlockList();
  for (const [net, prefix, family] of ranges) list.addSubnet(net, prefix, family);
  return list;
}

const UNSPECIFIED = blockList([
  ['0.0.0.0', 32, 'ipv4'],
  ['::', 128, 'ipv6'],
]);
const LOOPBACK = blockList([
  ['127.0.0.0', 8, 'ipv4'],
  ['::1', 128, 'ipv6'],
]);
const LINK_LOCAL = blockList([
  ['169.254.0.0', 16, 'ipv4'],
  ['fe80::', 10, 'ipv6'],
]);
const LINK_LOCAL_MULTICAST = blockList([
  ['224.0.0.0', 24, 'ipv4'],
  ['ff02::', 16, 'ipv6'],
]);

/** core validation's ValidateNonSpecialIP: endpoint addresses may not be loopback or link-local. */
export function validateNonSpecialIP(address: string, field: string): FieldError[] {
  const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : undefined;
  if (!family) return [fe.invalid(field, address, 'must be a valid IP address')];
  const errors: FieldError[] = [];
  if (UNSPECIFIED.check(address, family)) {
    errors.push(fe.invalid(field, address, `may not be unspecified (${address})`));
  }
  if (LOOPBACK.check(address, family)) {
    errors.push(fe.invalid(field, address, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
  }
  if (LINK_LOCAL.check(address, family)) {
    errors.push(fe.invalid(field, address, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
  }
  if (LINK_LOCAL_MULTICAST.check(address, family)) {
    errors.push(
      fe.invalid(field, address, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'),
    );
  }
  return errors;
}

function validateEndpointAddress(addressType: unknown, address: string, field: string): FieldError[] {
  switch (addressType) {
    case 'IPv4':
      if (!isIPv4(address)) return [fe.invalid(field, address, 'must be a valid IPv4 address')];
      return validateNonSpecialIP(address, field);
    case 'IPv6':
      if (!isIPv6(address)) return [fe.invalid(field, address, 'must be a valid IPv6 address')];
      return validateNonSpecialIP(address, field);
    case 'FQDN':
      return dns1123Subdomain(address).map((msg) => fe.invalid(field, address, msg));
    default:
      return [];
  }
}

export function validateEndpointSlice(obj: KubeObject, old?: KubeObject): FieldError[] {
  const errors: FieldError[] = [];
  const addressType = obj.addressType;
  if (!addressType) errors.push(fe.required('addressType'));
  else if (!ADDRESS_TYPES.includes(String(addressType))) {
    errors.push(fe.notSupported('addressType', addressType, ADDRESS_TYPES));
  }
  if (old && old.addressType !== addressType)
    errors.push(fe.invalid('addressType', addressType, 'field is immutable'));
  const endpoints = asArray(obj.endpoints).map(asRecord);
  if (endpoints.length > MAX_ENDPOINTS)
    return [...errors, fe.tooMany('endpoints', endpoints.length, MAX_ENDPOINTS)];
  endpoints.forEach((endpoint, i) => {
    const at = `endpoints[${i}].addresses`;
    const addresses = asArray(endpoint.addresses);
    if (addresses.length === 0) errors.push(fe.required(at, 'must contain at least 1 address'));
    else if (addresses.length > MAX_ADDRESSES) errors.push(fe.tooMany(at, addresses.length, MAX_ADDRESSES));
    addresses.forEach((address, j) => {
      errors.push(...validateEndpointAddress(addressType, String(address), `${at}[${j}]`));
    });
  });
  const portNames = new Set<string>();
  asArray(obj.ports)
    .map(asRecord)
    .forEach((port, i) => {
      const at = `ports[${i}]`;
      const name = typeof port.name === 'string' ? port.name : '';
      if (name) for (const msg of dns1123Label(name)) errors.push(fe.invalid(`${at}.name`, name, msg));
      if (portNames.has(name)) errors.push(fe.duplicate(`${at}.name`, name));
      portNames.add(name);
      if (!PROTOCOLS.includes(String(port.protocol))) {
        errors.push(fe.notSupported(`${at}.protocol`, port.protocol, PROTOCOLS));
      }
      if (port.port !== undefined && port.port !== null) errors.push(...portNumber(`${at}.port`, port.port));
    });
  return errors;
}

// ---- coordination.k8s.io/v1 Lease ----

export function validateLease(obj: KubeObject): FieldError[] {
  const spec = asRecord(obj.spec);
  const errors: FieldError[] = [];
  const duration = spec.leaseDurationSeconds;
  if (typeof duration === 'number' && duration <= 0) {
    errors.push(fe.invalid('spec.leaseDurationSeconds', duration, 'must be greater than 0'));
  }
  const transitions = spec.leaseTransitions;
  if (typeof transitions === 'number' && transitions < 0) {
    errors.push(fe.invalid('spec.leaseTransitions', transitions, 'must be greater than or equal to 0'));
  }
  return errors;
}

// ---- apps/v1 Deployment ----

export function validateDeployment(obj: KubeObject): FieldError[] {
  const spec = asRecord(obj.spec);
  const selector = asRecord(spec.selector);
  if (!spec.selector) return [fe.required('spec.selector')];
  const labels = asRecord(asRecord(asRecord(spec.template).metadata).labels);
  const wanted = asRecord(selector.matchLabels);
  const mismatch = Object.entries(wanted).some(([k, v]) => labels[k] !== v);
  if (!mismatch) return [];
  return [fe.invalid('spec.template.metadata.labels', labels, '`selector` does not match template `labels`')];
}
