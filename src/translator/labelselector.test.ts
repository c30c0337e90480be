import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchesLabelSelector } from './labelselector.js';

const labels = { env: 'prod', tier: 'web' };

describe('matchesLabelSelector', () => {
  it('matches everything with an empty selector and nothing with no selector', () => {
    assert.equal(matchesLabelSelector({}, labels), true);
    assert.equal(matchesLabelSelector(undefined, labels), false);
  });
  it('ANDs matchLabels', () => {
    assert.equal(matchesLabelSelector({ matchLabels: { env: 'prod', tier: 'web' } }, labels), true);
    assert.equal(matchesLabelSelector({ matchLabels: { env: 'prod', tier: 'api' } }, labels), false);
  });
  it('supports In, NotIn, Exists and DoesNotExist', () => {
    const expr = (operator: string, key: string, values?: string[]) => ({
      matchExpressions: [{ key, operator, values }],
    });
    assert.equal(matchesLabelSelector(expr('In', 'env', ['dev', 'prod']), labels), true);
    assert.equal(matchesLabelSelector(expr('In', 'env', ['dev']), labels), false);
    assert.equal(matchesLabelSelector(expr('In', 'missing', ['x']), labels), false);
    assert.equal(matchesLabelSelector(expr('NotIn', 'env', ['dev']), labels), true);
    assert.equal(matchesLabelSelector(expr('NotIn', 'env', ['prod']), labels), false);
    assert.equal(matchesLabelSelector(expr('NotIn', 'missing', ['x']), labels), true);
    assert.equal(matchesLabelSelector(expr('Exists', 'tier'), labels), true);
    assert.equal(matchesLabelSelector(expr('Exists', 'missing'), labels), false);
    assert.equal(matchesLabelSelector(expr('DoesNotExist', 'missing'), labels), true);
    assert.equal(matchesLabelSelector(expr('DoesNotExist', 'tier'), labels), false);
  });
  it('ANDs matchLabels with matchExpressions', () => {
    const selector = {
      matchLabels: { env: 'prod' },
      matchExpressions: [{ key: 'tier', operator: 'In', values: ['api'] }],
    };
    assert.equal(matchesLabelSelector(selector, labels), false);
  });
  it('selects nothing when malformed', () => {
    assert.equal(
      matchesLabelSelector({ matchExpressions: [{ key: 'env', operator: 'Like', values: ['p'] }] }, labels),
      false,
    );
    assert.equal(
      matchesLabelSelector({ matchExpressions: [{ key: 'env', operator: 'NotIn' }] }, labels),
      false,
    );
    assert.equal(matchesLabelSelector({ matchLabels: { env: 1 } }, labels), false);
    assert.equal(matchesLabelSelector({ matchLabels: 'env=prod' }, labels), false);
    assert.equal(matchesLabelSelector({ matchExpressions: [{ operator: 'Exists' }] }, labels), false);
  });
});
