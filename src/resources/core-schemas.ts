// Shapes of the core kinds Gatehouse reads (Namespace, Service, EndpointSlice, Secret,
// ConfigMap), as schema nodes carrying the Go type of each field. They drive three things the
// API server does when it decodes a built-in object: unknown fields are dropped (with a
// warning), a few defaults are set (port protocol TCP, Secret type Opaque, ...), and a value of
// the wrong JSON type fails decoding with encoding/json's message
// (`json: cannot unmarshal string into Go struct field ServicePort.spec.ports.port of type int32`).
// Sub-structures Gatehouse never reads are kept as they are.

import type { SchemaNode } from './crds.js';
import type { PathSegment } from './field-errors.js';
import { jsonKind } from './metadata.js';
import { isPlainObject } from './structural.js';

/** A schema node plus the Go type name encoding/json reports for it. */
interface GoNode extends SchemaNode {
  goType: string;
  properties?: Record<string, GoNode>;
  items?: GoNode;
  additionalProperties?: GoNode | boolean;
}

const str: GoNode = { type: 'string', goType: 'string' };
const int32: GoNode = { type: 'integer', goType: 'int32' };
const bool: GoNode = { type: 'boolean', goType: 'bool' };
const any: GoNode = { goType: 'interface {}', 'x-kubernetes-preserve-unknown-fields': true };
const strMap: GoNode = { type: 'object', additionalProperties: str, goType: 'map[string]string' };
const strList: GoNode = { type: 'array', items: str, goType: '[]string' };
const bytesMap: GoNode = {
  type: 'object',
  additionalProperties: { ...str, goType: '[]uint8' },
  goType: 'map[string][]uint8',
};
const withDefault = (node: GoNode, value: unknown): GoNode => ({ ...node, default: value });

function struct(goType: string, properties: Record<string, GoNode>): GoNode {
  return { type: 'object', goType, properties };
}
const list = (items: GoNode): GoNode => ({ type: 'array', items, goType: `[]${items.goType}` });

const top = (kind: string, fields: Record<string, GoNode>): GoNode =>
  struct(`v1.${kind}`, { apiVersion: str, kind: str, metadata: any, ...fields });

const servicePort = struct('v1.ServicePort', {
  name: str,
  protocol: withDefault(str, 'TCP'),
  appProtocol: str,
  port: int32,
  targetPort: { goType: 'intstr.IntOrString', 'x-kubernetes-int-or-string': true },
  nodePort: int32,
});

const serviceSpec = struct('v1.ServiceSpec', {
  ports: list(servicePort),
  selector: strMap,
  clusterIP: str,
  clusterIPs: strList,
  type: withDefault(str, 'ClusterIP'),
  externalIPs: strList,
  sessionAffinity: str,
  loadBalancerIP: str,
  loadBalancerSourceRanges: strList,
  externalName: str,
  externalTrafficPolicy: str,
  healthCheckNodePort: int32,
  publishNotReadyAddresses: bool,
  sessionAffinityConfig: any,
  ipFamilies: strList,
  ipFamilyPolicy: str,
  allocateLoadBalancerNodePorts: bool,
  loadBalancerClass: str,
  internalTrafficPolicy: str,
  trafficDistribution: str,
});

const endpoint = struct('v1.Endpoint', {
  addresses: strList,
  conditions: struct('v1.EndpointConditions', { ready: bool, serving: bool, terminating: bool }),
  hostname: str,
  targetRef: any,
  nodeName: str,
  zone: str,
  hints: any,
  deprecatedTopology: strMap,
});

const endpointPort = struct('v1.EndpointPort', {
  name: withDefault(str, ''),
  protocol: withDefault(str, 'TCP'),
  port: int32,
  appProtocol: str,
});

/** The shapes, keyed by kind. Status is dropped on create, so it is not listed. */
export const CORE_SCHEMAS: Readonly<Record<string, GoNode>> = {
  Namespace: top('Namespace', { spec: struct('v1.NamespaceSpec', { finalizers: strList }) }),
  Service: top('Service', { spec: serviceSpec }),
  EndpointSlice: top('EndpointSlice', {
    addressType: str,
    endpoints: list(endpoint),
    ports: list(endpointPort),
  }),
  Secret: top('Secret', {
    data: bytesMap,
    stringData: strMap,
    type: withDefault(str, 'Opaque'),
    immutable: bool,
  }),
  ConfigMap: top('ConfigMap', { data: strMap, binaryData: bytesMap, immutable: bool }),
};

export interface DecodeFailure {
  path: PathSegment[];
  reason: string;
}

/**
 * The first value whose JSON type the Go struct cannot take, as encoding/json words it: the
 * innermost struct holding the field and the field's JSON path (map keys and indices left out).
 */
export function goTypeError(value: unknown, node: GoNode, at: Position = ROOT): DecodeFailure | undefined {
  if (value === null || value === undefined || node['x-kubernetes-preserve-unknown-fields']) return undefined;
  const mismatch = (detail = jsonKind(value)): DecodeFailure => ({
    path: at.path,
    reason: `json: cannot unmarshal ${detail} into Go struct field ${at.owner}.${at.fields.join('.')} of type ${node.goType}`,
  });
  if (node['x-kubernetes-int-or-string']) {
    return typeof value === 'string' || Number.isInteger(value) ? undefined : mismatch();
  }
  switch (node.type) {
    case 'string':
      return typeof value === 'string' ? undefined : mismatch();
    case 'boolean':
      return typeof value === 'boolean' ? undefined : mismatch();
    case 'integer':
      if (typeof value !== 'number') return mismatch();
      return Number.isInteger(value) ? undefined : mismatch(`number ${value}`);
    case 'array':
      if (!Array.isArray(value)) return mismatch();
      return firstDefined(value, (item, i) =>
        goTypeError(item, node.items!, { ...at, path: [...at.path, i] }),
      );
    default:
      return isPlainObject(value) ? objectTypeError(value, node, at) : mismatch();
  }
}

interface Position {
  path: PathSegment[];
  owner: string;
  fields: string[];
}
const ROOT: Position = { path: [], owner: '', fields: [] };

function objectTypeError(
  value: Record<string, unknown>,
  node: GoNode,
  at: Position,
): DecodeFailure | undefined {
  const extra = typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined;
  const owner = node.properties ? node.goType.replace(/^v1\./, '') : at.owner;
  return firstDefined(Object.entries(value), ([key, child]) => {
    const property = node.properties?.[key];
    if (property)
      return goTypeError(child, property, { path: [...at.path, key], owner, fields: [...at.fields, key] });
    return extra ? goTypeError(child, extra, { ...at, path: [...at.path, key] }) : undefined;
  });
}

function firstDefined<T, R>(items: T[], fn: (item: T, index: number) => R | undefined): R | undefined {
  for (let i = 0; i < items.length; i++) {
    const result = fn(items[i]!, i);
    if (result !== undefined) return result;
  }
  return undefined;
}
