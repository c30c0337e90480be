import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDelayFlag, parseDurationFlag } from './options.js';

describe('duration flags', () => {
  it('read Gateway API durations in milliseconds', () => {
    assert.deepEqual(
      ['500ms', '5s', '2m', '1m30s', '1h'].map(parseDurationFlag),
      [500, 5000, 120_000, 90_000, 3_600_000],
    );
  });

  it('accept zero only for delays', () => {
    assert.equal(parseDelayFlag('0s'), 0);
    assert.throws(() => parseDurationFlag('0s'), /must be a duration/);
  });

  it('refuse anything else', () => {
    for (const value of ['', 'soon', '5', '1.5s', '-1s', '5 s', '1e3', 's', '5d']) {
      assert.throws(() => parseDelayFlag(value), /must be a duration/, value);
      assert.throws(() => parseDurationFlag(value), /must be a duration/, value);
    }
  });
});
