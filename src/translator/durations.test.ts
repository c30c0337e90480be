import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDuration } from './durations.js';

describe('parseDuration', () => {
  const valid: [string, number][] = [
    ['0s', 0],
    ['500ms', 500],
    ['1s', 1000],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['1m5s', 65_000],
    ['2s500ms', 2500],
    ['1h1m1s1ms', 3_661_001],
    ['99999ms', 99_999],
  ];
  for (const [text, ms] of valid) {
    it(`parses ${text} as ${ms} ms`, () => assert.equal(parseDuration(text), ms));
  }
  for (const text of ['', '1', '1d', '1.5s', '-1s', '100000s', '1h1m1s1ms1s', ' 1s', '1S', 's']) {
    it(`rejects ${JSON.stringify(text)}`, () => assert.equal(parseDuration(text), undefined));
  }
});
