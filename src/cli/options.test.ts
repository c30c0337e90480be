import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDuration } from './options.js';

describe('parseDuration', () => {
  it('reads milliseconds, seconds, minutes and bare seconds', () => {
    assert.deepEqual(
      ['500ms', '5s', '1.5s', '2m', '30', '0s', ' 10s '].map(parseDuration),
      [500, 5000, 1500, 120_000, 30_000, 0, 10_000],
    );
  });

  it('refuses anything else', () => {
    for (const value of ['', 'soon', '5h', '-1s', '5 s', '1e3', 's']) {
      assert.throws(() => parseDuration(value), /must be a duration/, value);
    }
  });
});
