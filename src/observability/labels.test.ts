import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { METHOD_CLASSES, methodClassIndex, STATUS_CLASSES, statusClassIndex } from './labels.js';

describe('metric label classes', () => {
  it('folds methods into a fixed set; anything else (case included) is other', () => {
    const classOf = (method: string) => METHOD_CLASSES[methodClassIndex(method)];
    assert.deepEqual(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'].map(classOf), [
      'GET',
      'HEAD',
      'POST',
      'PUT',
      'DELETE',
      'PATCH',
      'OPTIONS',
    ]);
    assert.deepEqual(['get', 'PURGE', 'CONNECT', 'TRACE', ''].map(classOf), Array(5).fill('other'));
  });

  it('folds statuses into classes; no response is none, out-of-range codes are other', () => {
    const classOf = (status: number) => STATUS_CLASSES[statusClassIndex(status)];
    assert.deepEqual([101, 200, 204, 302, 404, 421, 500, 504, 599].map(classOf), [
      '1xx',
      '2xx',
      '2xx',
      '3xx',
      '4xx',
      '4xx',
      '5xx',
      '5xx',
      '5xx',
    ]);
    assert.deepEqual([0, 42, 600, 999].map(classOf), ['none', 'other', 'other', 'other']);
  });
});
