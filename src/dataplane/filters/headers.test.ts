import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyHeaderMod, compileHeaderMod, type HeaderBag } from './headers.js';

describe('header modifier', () => {
  it('sets, appends comma-joined and removes, with case-insensitive names', () => {
    const mod = compileHeaderMod({
      set: [{ name: 'X-Header-Set', value: 'set-overwrites-values' }],
      add: [
        { name: 'X-Header-Add', value: 'add-appends-values' },
        { name: 'X-New', value: 'fresh' },
      ],
      remove: ['X-Header-Remove'],
    });
    assert.ok(mod);
    const headers: HeaderBag = {
      'x-header-set': 'some-other-value',
      'x-header-add': 'some-other-value',
      'x-header-remove': 'gone',
      'x-keep': 'kept',
    };
    applyHeaderMod(mod, headers);
    assert.deepEqual(headers, {
      'x-header-set': 'set-overwrites-values',
      'x-header-add': 'some-other-value,add-appends-values',
      'x-new': 'fresh',
      'x-keep': 'kept',
    });
  });

  it('appends a new entry to a multi-valued header such as set-cookie', () => {
    const mod = compileHeaderMod({ set: [], add: [{ name: 'Set-Cookie', value: 'c=3' }], remove: [] });
    assert.ok(mod);
    const headers: HeaderBag = { 'set-cookie': ['a=1', 'b=2'] };
    applyHeaderMod(mod, headers);
    assert.deepEqual(headers['set-cookie'], ['a=1', 'b=2', 'c=3']);
  });

  it('compiles an empty modifier to nothing', () => {
    assert.equal(compileHeaderMod({ set: [], add: [], remove: [] }), undefined);
    assert.equal(compileHeaderMod(undefined), undefined);
  });
});
