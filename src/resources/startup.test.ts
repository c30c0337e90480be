// Precompilation: a long-running process compiles every Gateway API schema and CEL rule at start,
// so its first edit is validated without compiling anything (compiling the HTTPRoute CRD on first
// use costs a few hundred ms). Counted, not timed: timing claims belong to the benchmark.

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { compiledRuleCount } from './cel.js';
import { compiledSchemaCount } from './schema-validator.js';
import { precompileValidation, validateObject } from './validate.js';

it('after precompileValidation, validating a Gateway API object compiles nothing new', () => {
  precompileValidation();
  const schemas = compiledSchemaCount();
  const rules = compiledRuleCount();
  assert.ok(schemas >= 4, `expected the Gateway API schemas to be compiled, got ${schemas}`);
  assert.ok(rules > 10, `expected the CEL rules to be compiled, got ${rules}`);
  const result = validateObject({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'r', namespace: 'default' },
    spec: {
      parentRefs: [{ name: 'gw' }],
      hostnames: ['example.com'],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/api' }, headers: [{ name: 'x', value: 'y' }] }],
          filters: [
            { type: 'RequestHeaderModifier', requestHeaderModifier: { add: [{ name: 'a', value: 'b' }] } },
          ],
          backendRefs: [{ name: 'api', port: 8080 }],
        },
      ],
    },
  });
  assert.equal(result.outcome, 'accepted');
  assert.equal(compiledSchemaCount(), schemas);
  assert.equal(compiledRuleCount(), rules);
});
