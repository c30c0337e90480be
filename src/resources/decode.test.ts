import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DecodeError, decodeManifest } from './decode.js';
import { parseFieldPath } from './field-errors.js';

const MULTI_DOC = `# leading comment
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
  - port: 80
---
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: route
spec:
  rules:
  - matches:
    - path:
        type: Exact
        value: /a
  - matches:
    - path:
        type: Foo
        value: /b
      headers:
      - name: x
        value: "1"
`;

describe('decodeManifest: YAML', () => {
  it('splits documents and skips empty ones', () => {
    const { documents, errors } = decodeManifest('multi.yaml', MULTI_DOC);
    assert.deepEqual(errors, []);
    assert.deepEqual(
      documents.map((d) => [d.index, (d.object as { kind: string }).kind]),
      [
        [0, 'Service'],
        [1, 'HTTPRoute'],
      ],
    );
    assert.equal(documents[1]!.file, 'multi.yaml');
  });

  it('maps nested field paths of a later document to their lines and columns', () => {
    const route = decodeManifest('multi.yaml', MULTI_DOC).documents[1]!;
    assert.deepEqual(route.positionOf(['spec', 'rules', 1, 'matches', 0, 'path', 'type']), {
      line: 24,
      column: 15,
    });
    assert.deepEqual(route.positionOf(['spec', 'rules', 0, 'matches', 0, 'path', 'value']), {
      line: 21,
      column: 16,
    });
    assert.deepEqual(route.positionOf(['spec', 'rules', 1, 'matches', 0, 'headers', 0, 'value']), {
      line: 28,
      column: 16,
    });
    assert.deepEqual(route.positionOf(['kind']), { line: 13, column: 7 });
    // The same, from the field path as the API server prints it.
    assert.deepEqual(route.positionOf('spec.rules[1].matches[0].path.type'), { line: 24, column: 15 });
  });

  it('points a missing field at the deepest part of its path that exists', () => {
    const service = decodeManifest('multi.yaml', MULTI_DOC).documents[0]!;
    // spec.ports[0].name is absent: the position is that of the port item.
    assert.deepEqual(service.positionOf(['spec', 'ports', 0, 'name']), { line: 9, column: 5 });
    assert.deepEqual(service.positionOf([]), { line: 3, column: 1 });
  });

  it('reports a syntax error with the file, line and column', () => {
    const { documents, errors } = decodeManifest(
      'bad.yaml',
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: [a\n',
    );
    assert.deepEqual(documents, []);
    assert.equal(errors.length > 0, true);
    const err = errors[0]!;
    assert.ok(err instanceof DecodeError);
    assert.equal(err.file, 'bad.yaml');
    assert.equal(err.line, 5);
    assert.match(err.reason, /flow sequence/i);
    assert.match(err.message, /^bad\.yaml:5:\d+: /);
  });

  it('rejects duplicate keys like the API server decoder', () => {
    const { errors } = decodeManifest('dup.yaml', 'kind: Service\nkind: Secret\n');
    assert.equal(errors[0]?.line, 2);
    assert.match(errors[0]!.reason, /unique/);
  });

  it('expands a List into its items, keeping positions inside the list', () => {
    const text = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Namespace
  metadata:
    name: a
- apiVersion: v1
  kind: Namespace
  metadata:
    name: b
`;
    const { documents } = decodeManifest('list.yaml', text);
    assert.deepEqual(
      documents.map((d) => (d.object as { metadata: { name: string } }).metadata.name),
      ['a', 'b'],
    );
    assert.deepEqual(documents[1]!.positionOf(['metadata', 'name']), { line: 11, column: 11 });
    assert.deepEqual(documents[1]!.positionOf('metadata.name'), { line: 11, column: 11 });
  });
});

describe('decodeManifest: JSON', () => {
  const JSON_TEXT = `{
  "apiVersion": "gateway.networking.k8s.io/v1",
  "kind": "Gateway",
  "metadata": { "name": "gw" },
  "spec": {
    "gatewayClassName": "gatehouse",
    "listeners": [
      { "name": "http", "port": 80, "protocol": "HTTP" },
      { "name": "https",
        "port": 443, "protocol": "HTTPS" }
    ]
  }
}
`;

  it('parses JSON with positions of nested fields', () => {
    const { documents, errors } = decodeManifest('gw.json', JSON_TEXT);
    assert.deepEqual(errors, []);
    assert.equal(documents.length, 1);
    const doc = documents[0]!;
    assert.equal((doc.object as { kind: string }).kind, 'Gateway');
    assert.deepEqual(doc.positionOf(['spec', 'listeners', 1, 'port']), { line: 10, column: 17 });
    assert.deepEqual(doc.positionOf(['spec', 'listeners', 0, 'protocol']), { line: 8, column: 49 });
    assert.deepEqual(doc.positionOf(['metadata', 'name']), { line: 4, column: 25 });
  });

  it('expands a v1 List written in JSON', () => {
    const text =
      '{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"x"}}]}';
    const { documents } = decodeManifest('list.json', text);
    assert.equal(documents.length, 1);
    assert.deepEqual(documents[0]!.positionOf(['metadata', 'name']), { line: 1, column: 100 });
  });

  it('reports a JSON syntax error with its position', () => {
    const { documents, errors } = decodeManifest(
      'broken.json',
      '{\n  "kind": "Service",\n  "ports": [1,, 2]\n}\n',
    );
    assert.deepEqual(documents, []);
    assert.equal(errors[0]?.line, 3);
    assert.equal(errors[0]?.column, 15);
    assert.match(errors[0]!.reason, /Unexpected ,/);
  });
});

describe('parseFieldPath', () => {
  it('reads the API server field notation back into segments', () => {
    assert.deepEqual(parseFieldPath('spec.rules[0].matches[12].path.type'), [
      'spec',
      'rules',
      0,
      'matches',
      12,
      'path',
      'type',
    ]);
    assert.deepEqual(parseFieldPath('data[tls.crt]'), ['data', 'tls.crt']);
    assert.deepEqual(parseFieldPath(''), []);
  });
});
