import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SUPPORTED_FEATURES, supportedFeatureStatus } from './features.js';

describe('supported features', () => {
  it('lists each feature once', () => {
    assert.equal(new Set(SUPPORTED_FEATURES).size, SUPPORTED_FEATURES.length);
  });
  it('reports them in ascending order by name, as GatewayClass status requires', () => {
    const names = supportedFeatureStatus().map((feature) => feature.name);
    assert.deepEqual(names, [...SUPPORTED_FEATURES].sort());
    assert.deepEqual(new Set(names), new Set(SUPPORTED_FEATURES));
  });
  it('includes the GATEWAY-HTTP core features', () => {
    for (const core of ['Gateway', 'HTTPRoute', 'ReferenceGrant']) assert.ok(names().includes(core));
  });
});

function names(): string[] {
  return supportedFeatureStatus().map((feature) => feature.name);
}
