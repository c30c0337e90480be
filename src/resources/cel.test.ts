import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapePropertyName, evaluateRules } from './cel.js';
import type { SchemaNode } from './crds.js';
import { formatFieldError } from './field-errors.js';
import { validateObject } from './validate.js';

const GROUP = 'gateway.networking.k8s.io';

function messages(value: unknown, schema: SchemaNode): string[] {
  return evaluateRules(value, schema, ['spec']).map(formatFieldError);
}

const object = (
  properties: Record<string, SchemaNode>,
  rules: SchemaNode['x-kubernetes-validations'],
): SchemaNode => ({
  type: 'object',
  properties,
  'x-kubernetes-validations': rules,
});

describe('CEL rules: binding and messages', () => {
  it('binds integers as CEL ints and escapes property names that are CEL keywords', () => {
    const schema = object({ port: { type: 'integer' }, namespace: { type: 'string' } }, [
      { rule: 'self.port + 1 == 81', message: 'int arithmetic' },
      { rule: "self.__namespace__ == 'infra'", message: 'escaped name' },
    ]);
    assert.deepEqual(messages({ port: 80, namespace: 'infra' }, schema), []);
    assert.deepEqual(messages({ port: 81, namespace: 'x' }, schema), [
      'spec: Invalid value: "object": int arithmetic',
      'spec: Invalid value: "object": escaped name',
    ]);
  });

  it('honours messageExpression, reason and fieldPath; defaults the message to the rule', () => {
    const schema = object({ name: { type: 'string' } }, [
      { rule: "self.name != 'a'", messageExpression: "'name ' + self.name + ' is reserved'" },
      { rule: "self.name != 'a'", message: 'forbidden', reason: 'FieldValueForbidden', fieldPath: '.name' },
      { rule: "self.name != 'a'", reason: 'FieldValueRequired' },
    ]);
    assert.deepEqual(messages({ name: 'a' }, schema), [
      'spec: Invalid value: "object": name a is reserved',
      'spec.name: Forbidden: forbidden',
      "spec: Required value: failed rule: self.name != 'a'",
    ]);
  });

  it('skips transition rules (oldSelf) on create', () => {
    const schema = object({ name: { type: 'string' } }, [{ rule: 'self == oldSelf', message: 'immutable' }]);
    assert.deepEqual(messages({ name: 'a' }, schema), []);
  });

  it('words evaluation errors like the API server', () => {
    const schema = object({ a: { type: 'string' } }, [{ rule: "self.b == 'x'", message: 'b must be x' }]);
    assert.deepEqual(messages({ a: 'y' }, schema), [
      'spec: Invalid value: "object": no such key: b evaluating rule: b must be x',
    ]);
  });

  it('evaluates rules on list items and map values, with their paths', () => {
    const schema: SchemaNode = {
      type: 'object',
      properties: {
        items: {
          type: 'array',
          items: {
            type: 'string',
            'x-kubernetes-validations': [{ rule: "self.endsWith('.com')", message: 'not .com' }],
          },
        },
        labels: {
          type: 'object',
          additionalProperties: {
            type: 'string',
            'x-kubernetes-validations': [{ rule: 'self.size() < 3', message: 'long' }],
          },
        },
      },
    };
    assert.deepEqual(messages({ items: ['a.com', 'b.org'], labels: { k: 'vvvv' } }, schema), [
      'spec.items[1]: Invalid value: "string": not .com',
      'spec.labels[k]: Invalid value: "string": long',
    ]);
  });

  it('provides the Kubernetes library functions the CRDs call (isIP, isCIDR, isURL)', () => {
    const schema = object({ s: { type: 'string' } }, [
      {
        rule: "isIP('10.0.0.1') && isIP('2001:db8::1') && !isIP('::ffff:10.0.0.1') && !isIP('a')",
        message: 'isIP',
      },
      { rule: "isCIDR('10.0.0.0/8') && !isCIDR('10.0.0.0/33')", message: 'isCIDR' },
      { rule: "isURL('https://example.com/x') && isURL('/path') && !isURL('not a url')", message: 'isURL' },
    ]);
    assert.deepEqual(messages({ s: '' }, schema), []);
  });

  it('escapes property names as Kubernetes does', () => {
    assert.equal(escapePropertyName('namespace'), '__namespace__');
    assert.equal(escapePropertyName('a.b-c/d__e'), 'a__dot__b__dash__c__slash__d__underscores__e');
    assert.equal(escapePropertyName('plain'), 'plain');
  });
});

describe('CEL rules of the CRDs that use the string library, isIP and map keys', () => {
  it('TLSRoute hostnames: isIP, contains, startsWith, substring, matches', () => {
    const tlsRoute = (hostnames: string[]) => ({
      apiVersion: `${GROUP}/v1`,
      kind: 'TLSRoute',
      metadata: { name: 't' },
      spec: { parentRefs: [{ name: 'gw' }], hostnames, rules: [{ backendRefs: [{ name: 's', port: 443 }] }] },
    });
    assert.equal(validateObject(tlsRoute(['a.example.com', '*.example.com'])).outcome, 'accepted');
    const result = validateObject(tlsRoute(['10.0.0.1']));
    assert.equal(result.outcome, 'rejected');
    if (result.outcome === 'rejected') {
      assert.equal(
        result.error.message,
        `TLSRoute.${GROUP} "t" is invalid: spec.hostnames: Invalid value: "array": Hostnames cannot contain an IP`,
      );
    }
  });

  it('Gateway infrastructure labels: all() over map keys, matches and split', () => {
    const gateway = (labels: Record<string, string>) => ({
      apiVersion: `${GROUP}/v1`,
      kind: 'Gateway',
      metadata: { name: 'gw' },
      spec: {
        gatewayClassName: 'gatehouse',
        infrastructure: { labels },
        listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }],
      },
    });
    assert.equal(validateObject(gateway({ 'example.com/team': 'edge' })).outcome, 'accepted');
    const result = validateObject(gateway({ 'Bad Key': 'x' }));
    assert.equal(result.outcome, 'rejected');
    if (result.outcome === 'rejected') {
      assert.equal(
        result.error.message,
        `Gateway.${GROUP} "gw" is invalid: spec.infrastructure.labels: Invalid value: "object": Label keys must be in the form of an optional DNS subdomain prefix followed by a required name segment of up to 63 characters.`,
      );
    }
  });
});
