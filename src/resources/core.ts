// Validation of the core kinds Gatehouse reads, with the API server's rules and messages for
// what matters here (pkg/apis/core/validation, pkg/apis/discovery/validation): Service ports
// (1-65535, names, unique protocol/port pairs), EndpointSlice address types and addresses,
// Secret and ConfigMap keys (a kubernetes.io/tls Secret needs tls.crt and tls.key), plus the
// decoding the API server does first (`stringData` merged into `data`, base64 checked).
// Loopback endpoint addresses are allowed on request: standalone mode addresses local
// backends with them, while an API server (and its test double) must refuse them.

import { BlockList, isIP } from 'node:net';
import { type FieldError, fieldError, GoRepr, goQuote, type PathSegment, withField } from './field-errors.js';
import { base64ErrorOffset } from './go-base64.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, validateLabels } from './metadata.js';
import { isPlainObject } from './structural.js';

export interface CoreOptions {
  allowLoopbackEndpoints: boolean;
}

type Obj = Record<string, unknown>;
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];
const MAX_DATA_SIZE = 1024 * 1024;

/** Decoding steps before validation; returns a decode failure (`illegal base64 ...`) if any. */
export function decodeCore(kind: string, obj: Obj): { path: PathSegment[]; reason: string } | undefined {
  if (kind === 'Secret') {
    const stringData = isPlainObject(obj.stringData) ? obj.stringData : {};
    const data = isPlainObject(obj.data) ? obj.data : {};
    for (const [key, value] of Object.entries(stringData))
      data[key] = Buffer.from(String(value)).toString('base64');
    if (Object.keys(stringData).length > 0) obj.data = data;
    delete obj.stringData;
  }
  for (const field of kind === 'Secret' ? ['data'] : kind === 'ConfigMap' ? ['binaryData'] : []) {
    const map = isPlainObject(obj[field]) ? (obj[field] as Obj) : {};
    for (const [key, value] of Object.entries(map)) {
      const offset = typeof value === 'string' ? base64ErrorOffset(value) : undefined;
      if (offset !== undefined)
        return { path: [field, key], reason: `illegal base64 data at input byte ${offset}` };
    }
  }
  if (kind === 'Service') defaultTargetPorts(obj);
  return undefined;
}

function defaultTargetPorts(service: Obj) {
  const ports = (service.spec as Obj | undefined)?.ports;
  if (!Array.isArray(ports)) return;
  for (const port of ports) {
    const unset = port?.targetPort === undefined || port.targetPort === 0 || port.targetPort === '';
    if (isPlainObject(port) && unset) port.targetPort = port.port;
  }
}

export function validateCoreKind(kind: string, obj: Obj, options: CoreOptions): FieldError[] {
  switch (kind) {
    case 'Service':
      return validateService(obj);
    case 'EndpointSlice':
      return validateEndpointSlice(obj, options);
    case 'Secret':
      return validateSecret(obj);
    case 'ConfigMap':
      return validateConfigMap(obj);
    default:
      return [];
  }
}

function validateService(service: Obj): FieldError[] {
  const spec = (isPlainObject(service.spec) ? service.spec : {}) as Obj;
  const ports = (Array.isArray(spec.ports) ? spec.ports : []) as Obj[];
  const type = spec.type as string;
  const errors: FieldError[] = [];
  if (ports.length === 0 && spec.clusterIP !== 'None' && type !== 'ExternalName') {
    errors.push(fieldError.required(['spec', 'ports']));
  }
  if (!SERVICE_TYPES.includes(type))
    errors.push(fieldError.notSupported(['spec', 'type'], type, SERVICE_TYPES));
  if (type === 'ExternalName' && !spec.externalName)
    errors.push(fieldError.required(['spec', 'externalName']));
  const names = new Set<string>();
  const requireNames = ports.length > 1;
  errors.push(
    ...ports.flatMap((port, i) => validateServicePort(port, requireNames, names, ['spec', 'ports', i])),
  );
  errors.push(...duplicatePorts(ports));
  errors.push(...validateLabels(spec.selector, ['spec', 'selector']));
  errors.push(...validateClusterIPs(spec));
  return errors;
}

function validateServicePort(port: Obj, requireName: boolean, names: Set<string>, path: PathSegment[]) {
  const errors: FieldError[] = [];
  const name = (port.name as string | undefined) ?? '';
  if (requireName && name === '') errors.push(fieldError.required([...path, 'name']));
  else if (name !== '') {
    for (const msg of isDNS1123Label(name)) errors.push(fieldError.invalid([...path, 'name'], name, msg));
    if (names.has(name)) errors.push(fieldError.duplicate([...path, 'name'], name));
    names.add(name);
  }
  for (const msg of portNumErrors(port.port))
    errors.push(fieldError.invalid([...path, 'port'], port.port ?? 0, msg));
  errors.push(...validateProtocol(port.protocol, [...path, 'protocol']));
  const target = port.targetPort;
  const targetMsgs = typeof target === 'string' ? portNameErrors(target) : portNumErrors(target);
  for (const msg of targetMsgs) errors.push(fieldError.invalid([...path, 'targetPort'], target ?? 0, msg));
  if (typeof port.appProtocol === 'string') {
    for (const msg of isQualifiedName(port.appProtocol)) {
      errors.push(fieldError.invalid([...path, 'appProtocol'], port.appProtocol, msg));
    }
  }
  return errors;
}

/** `Duplicate value: core.ServicePort{...}` for a repeated (protocol, port) pair. */
function duplicatePorts(ports: Obj[]): FieldError[] {
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  ports.forEach((port, i) => {
    const key = `${port.protocol}/${port.port}`;
    if (seen.has(key)) {
      const repr = `core.ServicePort{Name:"", Protocol:${goQuote(String(port.protocol ?? ''))}, AppProtocol:(*string)(nil), Port:${port.port ?? 0}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`;
      errors.push(fieldError.duplicate(['spec', 'ports', i], new GoRepr(repr)));
    }
    seen.add(key);
  });
  return errors;
}

function validateClusterIPs(spec: Obj): FieldError[] {
  const ips = [spec.clusterIP, ...(Array.isArray(spec.clusterIPs) ? spec.clusterIPs : [])];
  return ips.flatMap((ip, i): FieldError[] => {
    if (typeof ip !== 'string' || ip === '' || ip === 'None' || isIP(ip) !== 0) return [];
    const path = i === 0 ? ['spec', 'clusterIP'] : ['spec', 'clusterIPs', i - 1];
    return [fieldError.invalid(path, ip, "must be empty, 'None', or a valid IP address")];
  });
}

function validateProtocol(protocol: unknown, path: PathSegment[]): FieldError[] {
  if (protocol === undefined || protocol === '') return [fieldError.required(path)];
  return PROTOCOLS.includes(protocol as string) ? [] : [fieldError.notSupported(path, protocol, PROTOCOLS)];
}

function portNumErrors(port: unknown): string[] {
  const n = typeof port === 'number' ? port : 0;
  return n >= 1 && n <= 65535 ? [] : ['must be between 1 and 65535, inclusive'];
}

/** apimachinery's IsValidPortName (an IANA service name). */
export function portNameErrors(name: string): string[] {
  const errs: string[] = [];
  if (name.length > 15) errs.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(name))
    errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(name)) errs.push('must contain at least one letter (a-z)');
  if (name.includes('--')) errs.push('must not contain consecutive hyphens');
  if (name.startsWith('-') || name.endsWith('-')) errs.push('must not begin or end with a hyphen');
  return errs;
}

function validateEndpointSlice(slice: Obj, options: CoreOptions): FieldError[] {
  const errors: FieldError[] = [];
  const addressType = slice.addressType as string | undefined;
  if (!addressType) errors.push(fieldError.required(['addressType']));
  else if (!ADDRESS_TYPES.includes(addressType)) {
    errors.push(fieldError.notSupported(['addressType'], addressType, ADDRESS_TYPES));
  }
  const endpoints = (Array.isArray(slice.endpoints) ? slice.endpoints : []) as Obj[];
  if (endpoints.length > 1000) return [...errors, fieldError.tooMany(['endpoints'], endpoints.length, 1000)];
  endpoints.forEach((endpoint, i) => {
    const path = ['endpoints', i, 'addresses'];
    const addresses = (Array.isArray(endpoint.addresses) ? endpoint.addresses : []) as string[];
    if (addresses.length === 0) errors.push(fieldError.required(path, 'must contain at least 1 address'));
    else if (addresses.length > 100) errors.push(fieldError.tooMany(path, addresses.length, 100));
    addresses.forEach((address, j) => {
      errors.push(...validateAddress(address, addressType, [...path, j], options));
    });
    if (typeof endpoint.hostname === 'string') {
      for (const msg of isDNS1123Label(endpoint.hostname)) {
        errors.push(fieldError.invalid(['endpoints', i, 'hostname'], endpoint.hostname, msg));
      }
    }
  });
  errors.push(...validateEndpointPorts(slice.ports));
  return errors;
}

function validateAddress(
  address: string,
  type: string | undefined,
  path: PathSegment[],
  options: CoreOptions,
) {
  if (type === 'FQDN') return fqdnErrors(address, path);
  if (type !== 'IPv4' && type !== 'IPv6') return [];
  const family = type === 'IPv4' ? 4 : 6;
  const errors: FieldError[] = [];
  if (isIP(address) !== family)
    errors.push(fieldError.invalid(path, address, `must be a valid ${type} address`));
  errors.push(...specialIPErrors(address, path, options));
  return errors;
}

function ranges(subnets: [string, number, 'ipv4' | 'ipv6'][]): BlockList {
  const list = new BlockList();
  for (const [network, prefix, family] of subnets) list.addSubnet(network, prefix, family);
  return list;
}

const UNSPECIFIED = ranges([
  ['0.0.0.0', 32, 'ipv4'],
  ['::', 128, 'ipv6'],
]);
const LOOPBACK = ranges([
  ['127.0.0.0', 8, 'ipv4'],
  ['::1', 128, 'ipv6'],
]);
const LINK_LOCAL = ranges([
  ['169.254.0.0', 16, 'ipv4'],
  ['fe80::', 10, 'ipv6'],
]);
const LINK_LOCAL_MULTICAST = ranges([
  ['224.0.0.0', 24, 'ipv4'],
  ['ff02::', 16, 'ipv6'],
]);

/** ValidateNonSpecialIP: no unspecified, loopback or link-local endpoint addresses. */
function specialIPErrors(address: string, path: PathSegment[], options: CoreOptions): FieldError[] {
  const family = isIP(address);
  if (family === 0) return [fieldError.invalid(path, address, 'must be a valid IP address')];
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const checks: [BlockList, string][] = [
    [UNSPECIFIED, `may not be unspecified (${address})`],
    [LOOPBACK, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'],
    [LINK_LOCAL, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'],
    [LINK_LOCAL_MULTICAST, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'],
  ];
  return checks
    .filter(([list]) => list.check(address, type) && !(list === LOOPBACK && options.allowLoopbackEndpoints))
    .map(([, msg]) => fieldError.invalid(path, address, msg));
}

/** IsFullyQualifiedDomainName. */
function fqdnErrors(address: string, path: PathSegment[]): FieldError[] {
  if (address === '') return [fieldError.required(path)];
  const name = address.endsWith('.') ? address.slice(0, -1) : address;
  const subdomain = isDNS1123Subdomain(name);
  if (subdomain.length > 0) return [fieldError.invalid(path, name, subdomain.join(','))];
  const labels = name.split('.');
  if (labels.length < 2) {
    return [
      fieldError.invalid(path, name, 'should be a domain with at least two segments separated by dots'),
    ];
  }
  for (const label of labels) {
    const errs = isDNS1123Label(label);
    if (errs.length > 0) return [fieldError.invalid(path, label, errs.join(','))];
  }
  return [];
}

function validateEndpointPorts(value: unknown): FieldError[] {
  const ports = (Array.isArray(value) ? value : []) as Obj[];
  if (ports.length > 100) return [fieldError.tooMany(['ports'], ports.length, 100)];
  const errors: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const name = String(port.name ?? '');
    if (name !== '') {
      for (const msg of isDNS1123Label(name))
        errors.push(fieldError.invalid(['ports', i, 'name'], name, msg));
    }
    if (names.has(name)) errors.push(fieldError.duplicate(['ports', i, 'name'], name));
    names.add(name);
    errors.push(...validateProtocol(port.protocol, ['ports', i, 'protocol']));
    if (typeof port.appProtocol === 'string') {
      for (const msg of isQualifiedName(port.appProtocol)) {
        errors.push(fieldError.invalid(['ports', i, 'appProtocol'], port.appProtocol, msg));
      }
    }
  });
  return errors;
}

function validateSecret(secret: Obj): FieldError[] {
  const data = (isPlainObject(secret.data) ? secret.data : {}) as Record<string, string>;
  const errors = validateDataKeys(data, 'data');
  const size = Object.values(data).reduce((n, v) => n + Buffer.from(v ?? '', 'base64').length, 0);
  if (size > MAX_DATA_SIZE) errors.push(fieldError.tooLong(['data'], MAX_DATA_SIZE));
  if (secret.type === 'kubernetes.io/tls') {
    for (const key of ['tls.crt', 'tls.key']) {
      if (!Object.hasOwn(data, key))
        errors.push(withField(fieldError.required(['data', key]), `data[${key}]`));
    }
  }
  return errors;
}

function validateConfigMap(configMap: Obj): FieldError[] {
  const data = (isPlainObject(configMap.data) ? configMap.data : {}) as Record<string, string>;
  const binary = (isPlainObject(configMap.binaryData) ? configMap.binaryData : {}) as Record<string, string>;
  const errors = [...validateDataKeys(data, 'data'), ...validateDataKeys(binary, 'binaryData')];
  for (const key of Object.keys(binary)) {
    if (Object.hasOwn(data, key)) {
      errors.push(
        withField(
          fieldError.invalid(['data', key], key, 'duplicate of key present in binaryData'),
          `data[${key}]`,
        ),
      );
    }
  }
  const size =
    Object.values(data).reduce((n, v) => n + Buffer.byteLength(String(v ?? '')), 0) +
    Object.values(binary).reduce((n, v) => n + Buffer.from(v ?? '', 'base64').length, 0);
  if (size > MAX_DATA_SIZE) errors.push(withField(fieldError.tooLong([], MAX_DATA_SIZE), ''));
  return errors;
}

function validateDataKeys(data: Record<string, unknown>, field: string): FieldError[] {
  return Object.keys(data).flatMap((key) =>
    configMapKeyErrors(key).map((msg) =>
      withField(fieldError.invalid([field, key], key, msg), `${field}[${key}]`),
    ),
  );
}

/** IsConfigMapKey. */
function configMapKeyErrors(key: string): string[] {
  const errs: string[] = [];
  if (key.length > 253) errs.push('must be no more than 253 characters');
  if (!/^[-._a-zA-Z0-9]+$/.test(key)) {
    errs.push(
      "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    );
  }
  if (key === '.') errs.push("must not be '.'");
  else if (key === '..') errs.push("must not be '..'");
  else if (key.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}
