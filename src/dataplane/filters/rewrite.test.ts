import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { modifyPath, replacePrefix } from './rewrite.js';

describe('replacePrefix', () => {
  // The table from the Gateway API HTTPPathModifier documentation (prefix already trimmed).
  const cases: [path: string, prefix: string, replacement: string, expected: string][] = [
    ['/foo/bar', '/foo', '/xyz', '/xyz/bar'],
    ['/foo/bar', '/foo', '/xyz/', '/xyz/bar'],
    ['/foo', '/foo', '/xyz', '/xyz'],
    ['/foo/', '/foo', '/xyz', '/xyz/'],
    ['/foo/bar', '/foo', '', '/bar'],
    ['/foo/', '/foo', '', '/'],
    ['/foo', '/foo', '', '/'],
    ['/foo/', '/foo', '/', '/'],
    ['/foo', '/foo', '/', '/'],
    ['/prefix/one/two', '/prefix/one', '/one', '/one/two'],
    ['/strip-prefix/three', '/strip-prefix', '/', '/three'],
    ['/strip-prefix', '/strip-prefix', '/', '/'],
    ['/anything', '', '/api', '/api/anything'],
  ];
  for (const [path, prefix, replacement, expected] of cases) {
    it(`${path} with ${prefix || '/'} → ${replacement || '<empty>'} gives ${expected}`, () => {
      assert.equal(replacePrefix(path, prefix, replacement), expected);
    });
  }
});

describe('modifyPath', () => {
  it('replaces the full path', () => {
    assert.equal(
      modifyPath({ type: 'ReplaceFullPath', value: '/one' }, '/full/one/two', '/full/one'),
      '/one',
    );
  });
  it('leaves the path alone for ReplacePrefixMatch without a prefix match', () => {
    assert.equal(modifyPath({ type: 'ReplacePrefixMatch', value: '/x' }, '/a/b', undefined), '/a/b');
  });
});
