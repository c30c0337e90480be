import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateRequestId, requestIdFor } from './request-id.js';

describe('request ids', () => {
  it('keeps a valid incoming id', () => {
    for (const id of ['abc', 'f47ac10b-58cc-4372-a567-0e02b2c3d479', 'svc:trace/1+2=3', 'x'.repeat(128)]) {
      assert.equal(requestIdFor(id), id);
    }
  });

  it('replaces a missing, repeated, empty, too long or non-printable id', () => {
    for (const incoming of [undefined, ['a', 'b'], '', 'x'.repeat(129), 'has space', 'tab\there', 'é']) {
      const id = requestIdFor(incoming);
      assert.notEqual(id, incoming);
      assert.match(id, /^[0-9a-f]{12}-[0-9a-z]+$/);
    }
  });

  it('generates ids unique within the process, sharing one random prefix', () => {
    const ids = Array.from({ length: 10_000 }, () => generateRequestId());
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(new Set(ids.map((id) => id.split('-')[0])).size, 1);
  });
});
