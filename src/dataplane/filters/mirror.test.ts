import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shouldMirror } from './mirror.js';

describe('shouldMirror', () => {
  it('always mirrors at 1/1 and never at 0', () => {
    assert.equal(shouldMirror(1, 1, 0.999), true);
    assert.equal(shouldMirror(0, 100, 0), false);
  });
  it('mirrors the requested share of uniform draws', () => {
    let mirrored = 0;
    for (let i = 0; i < 1000; i++) if (shouldMirror(35, 100, i / 1000)) mirrored++;
    assert.equal(mirrored, 350);
  });
});
