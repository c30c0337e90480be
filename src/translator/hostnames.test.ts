import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compareListenerHostnames,
  effectiveHostnames,
  hostnamesOverlap,
  intersectHostname,
} from './hostnames.js';

describe('intersectHostname', () => {
  const cases: [string, string, string | null][] = [
    ['foo.example.com', 'foo.example.com', 'foo.example.com'],
    ['foo.example.com', 'bar.example.com', null],
    ['foo.example.com', '*.example.com', 'foo.example.com'],
    ['a.b.example.com', '*.example.com', 'a.b.example.com'],
    ['example.com', '*.example.com', null],
    ['fooexample.com', '*.example.com', null],
    ['*.example.com', '*.example.com', '*.example.com'],
    ['*.foo.example.com', '*.example.com', '*.foo.example.com'],
    ['*.example.com', '*.example.org', null],
    ['*.com', 'foo.example.com', 'foo.example.com'],
    ['*.example.com', 'example.com', null],
  ];
  for (const [a, b, expected] of cases) {
    it(`${a} ∩ ${b} = ${expected}`, () => {
      assert.equal(intersectHostname(a, b), expected);
      assert.equal(intersectHostname(b, a), expected, 'intersection is symmetric');
    });
  }
});

describe('effectiveHostnames', () => {
  it('is "any host" when neither side names one', () => {
    assert.deepEqual(effectiveHostnames([], null), []);
  });
  it("gives a route without hostnames the listener's hostname", () => {
    assert.deepEqual(effectiveHostnames([], '*.example.com'), ['*.example.com']);
  });
  it("keeps the route's hostnames on a listener without one, sorted and unique", () => {
    assert.deepEqual(effectiveHostnames(['b.com', 'a.com', 'b.com'], null), ['a.com', 'b.com']);
  });
  it('keeps the more specific side of each intersection', () => {
    assert.deepEqual(effectiveHostnames(['*.com', 'x.example.com', 'other.org'], '*.example.com'), [
      '*.example.com',
      'x.example.com',
    ]);
  });
  it('is null when nothing intersects', () => {
    assert.equal(effectiveHostnames(['example.com'], '*.example.com'), null);
  });
});

describe('hostnamesOverlap', () => {
  it('detects an exact name under a wildcard, and ignores catch-all listeners', () => {
    assert.equal(hostnamesOverlap('foo.example.com', '*.example.com'), true);
    assert.equal(hostnamesOverlap('example.com', '*.example.com'), false);
    assert.equal(hostnamesOverlap(null, '*.example.com'), false);
  });
});

describe('compareListenerHostnames', () => {
  it('orders exact, then wildcards with more labels first, then the catch-all', () => {
    const hostnames = [null, '*.com', 'b.example.com', '*.example.com', 'a.example.com', '*.a.example.com'];
    assert.deepEqual(hostnames.sort(compareListenerHostnames), [
      'a.example.com',
      'b.example.com',
      '*.a.example.com',
      '*.example.com',
      '*.com',
      null,
    ]);
  });
});
