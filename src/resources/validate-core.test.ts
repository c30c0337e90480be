// Expected messages are those of the API server's built-in validation (pkg/apis/core/validation,
// pkg/apis/discovery/validation, apimachinery's name validators) and of its JSON decoding.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EndpointSlice, Secret, Service } from './types.js';
import { type ValidatorOptions, validateObject } from './validate.js';

const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

const service = (spec: object, name = 'web') => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name },
  spec,
});
const slice = (addressType: string, addresses: string[], extra: object = {}) => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: 's' },
  addressType,
  endpoints: [{ addresses }],
  ...extra,
});
const secret = (fields: object) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, ...fields });

function rejection(object: unknown, options?: ValidatorOptions): string {
  const result = validateObject(object, options);
  assert.equal(result.outcome, 'rejected', `expected a rejection, got ${result.outcome}`);
  return result.outcome === 'rejected' ? result.error.message : '';
}

function accepted<T>(object: unknown, options?: ValidatorOptions): T {
  const result = validateObject(object, options);
  assert.equal(
    result.outcome,
    'accepted',
    result.outcome === 'rejected' ? result.error.message : result.outcome,
  );
  return (result.outcome === 'accepted' ? result.object : undefined) as T;
}

describe('Service', () => {
  it('ports must be 1-65535 (targetPort defaults to port)', () => {
    assert.equal(
      rejection(service({ ports: [{ port: 70000 }] })),
      'Service "web" is invalid: [spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive, spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive]',
    );
  });

  it('(protocol, port) pairs must be unique', () => {
    assert.equal(
      rejection(
        service({
          ports: [
            { name: 'a', port: 80 },
            { name: 'b', port: 80 },
          ],
        }),
      ),
      'Service "web" is invalid: spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
    );
  });

  it('port names: required with several ports, DNS labels, unique', () => {
    assert.equal(
      rejection(
        service({
          ports: [{ port: 80 }, { name: 'HTTP', port: 81 }, { name: 'x', port: 82 }, { name: 'x', port: 83 }],
        }),
      ),
      `Service "web" is invalid: [spec.ports[0].name: Required value, spec.ports[1].name: Invalid value: "HTTP": ${LABEL_MSG}, spec.ports[3].name: Duplicate value: "x"]`,
    );
  });

  it('targetPort names and protocols', () => {
    assert.equal(
      rejection(service({ ports: [{ port: 80, targetPort: 'http_port', protocol: 'HTTP' }] })),
      'Service "web" is invalid: [spec.ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP", spec.ports[0].targetPort: Invalid value: "http_port": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)]',
    );
  });

  it('name is a DNS-1035 label', () => {
    assert.equal(
      rejection(service({ ports: [{ port: 80 }] }, '1web')),
      `Service "1web" is invalid: metadata.name: Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
    );
  });

  it('a value of the wrong JSON type fails decoding', () => {
    assert.equal(
      rejection(service({ ports: [{ port: '80' }] })),
      'Service in version "v1" cannot be handled as a Service: json: cannot unmarshal string into Go struct field ServicePort.spec.ports.port of type int32',
    );
  });

  it('defaults protocol, targetPort and type', () => {
    const object = accepted<Service>(service({ ports: [{ name: 'http', port: 80 }] }));
    assert.deepEqual(object.spec.ports, [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 80 }]);
    assert.equal(object.spec.type, 'ClusterIP');
    assert.equal(object.metadata.namespace, 'default');
  });
});

describe('EndpointSlice', () => {
  it('addressType is required and one of the supported types', () => {
    assert.equal(
      rejection(slice('IPv5', ['10.0.0.1'])),
      'EndpointSlice.discovery.k8s.io "s" is invalid: addressType: Unsupported value: "IPv5": supported values: "FQDN", "IPv4", "IPv6"',
    );
  });

  it('addresses must parse for the address type', () => {
    assert.equal(
      rejection(slice('IPv4', ['2001:db8::1', 'not-an-ip'])),
      'EndpointSlice.discovery.k8s.io "s" is invalid: [endpoints[0].addresses[0]: Invalid value: "2001:db8::1": must be a valid IPv4 address, endpoints[0].addresses[1]: Invalid value: "not-an-ip": must be a valid IPv4 address, endpoints[0].addresses[1]: Invalid value: "not-an-ip": must be a valid IP address]',
    );
    assert.equal(
      rejection(slice('FQDN', ['localhost'])),
      'EndpointSlice.discovery.k8s.io "s" is invalid: endpoints[0].addresses[0]: Invalid value: "localhost": should be a domain with at least two segments separated by dots',
    );
  });

  it('an endpoint needs an address; special ranges are refused', () => {
    assert.equal(
      rejection(slice('IPv4', [])),
      'EndpointSlice.discovery.k8s.io "s" is invalid: endpoints[0].addresses: Required value: must contain at least 1 address',
    );
    assert.equal(
      rejection(slice('IPv4', ['169.254.169.254'])),
      'EndpointSlice.discovery.k8s.io "s" is invalid: endpoints[0].addresses[0]: Invalid value: "169.254.169.254": may not be in the link-local range (169.254.0.0/16, fe80::/10)',
    );
  });

  it('loopback addresses: refused like an API server, allowed in file mode on request', () => {
    assert.equal(
      rejection(slice('IPv4', ['127.0.0.1'])),
      'EndpointSlice.discovery.k8s.io "s" is invalid: endpoints[0].addresses[0]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
    );
    assert.equal(
      rejection(slice('IPv6', ['::1'])),
      'EndpointSlice.discovery.k8s.io "s" is invalid: endpoints[0].addresses[0]: Invalid value: "::1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
    );
    const object = accepted<EndpointSlice>(slice('IPv4', ['127.0.0.1'], { ports: [{ port: 8080 }] }), {
      allowLoopbackEndpoints: true,
    });
    assert.deepEqual(object.ports, [{ port: 8080, name: '', protocol: 'TCP' }]);
  });

  it('port names are DNS labels and unique', () => {
    assert.equal(
      rejection(
        slice('IPv4', ['10.0.0.1'], {
          ports: [
            { name: 'Web', port: 1 },
            { name: 'a', port: 2 },
            { name: 'a', port: 3 },
          ],
        }),
      ),
      `EndpointSlice.discovery.k8s.io "s" is invalid: [ports[0].name: Invalid value: "Web": ${LABEL_MSG}, ports[2].name: Duplicate value: "a"]`,
    );
  });
});

describe('Secret and ConfigMap', () => {
  it('a kubernetes.io/tls Secret needs tls.crt and tls.key', () => {
    assert.equal(
      rejection(secret({ type: 'kubernetes.io/tls', data: { 'tls.crt': 'YWJj' } })),
      'Secret "s" is invalid: data[tls.key]: Required value',
    );
  });

  it('data values must be base64 (a decoding failure, with the offset Go reports)', () => {
    assert.equal(
      rejection(secret({ data: { key: 'abc!' } })),
      'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3',
    );
    assert.equal(
      rejection(secret({ data: { key: 'YWJ' } })),
      'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 0',
    );
  });

  it('stringData is merged into data as base64; type defaults to Opaque', () => {
    const object = accepted<Secret>(secret({ data: { a: 'eA==' }, stringData: { b: 'hello' } }));
    assert.deepEqual(object.data, { a: 'eA==', b: 'aGVsbG8=' });
    assert.equal(object.stringData, undefined);
    assert.equal(object.type, 'Opaque');
  });

  it('keys must be valid config keys', () => {
    assert.equal(
      rejection(secret({ data: { 'a b': 'eA==' } })),
      `Secret "s" is invalid: data[a b]: Invalid value: "a b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
    );
    assert.equal(
      rejection({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { '..': 'x' } }),
      `ConfigMap "c" is invalid: data[..]: Invalid value: "..": must not be '..'`,
    );
  });
});

describe('Namespace', () => {
  it('name is a DNS label', () => {
    assert.equal(
      rejection({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a.b' } }),
      'Namespace "a.b" is invalid: metadata.name: Invalid value: "a.b": must not contain dots',
    );
    assert.equal(
      rejection({ apiVersion: 'v1', kind: 'Nope', metadata: { name: 'a' } }),
      'no matches for kind "Nope" in version "v1"',
    );
  });
});
