import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HostTable, normalizeHost, wildcardSuffix } from './hostname.js';

describe('normalizeHost', () => {
  it('drops the port, lower-cases and drops a trailing dot', () => {
    assert.equal(normalizeHost('Foo.Example.COM:8080'), 'foo.example.com');
    assert.equal(normalizeHost('foo.example.com.'), 'foo.example.com');
    assert.equal(normalizeHost('very.specific.com:1234'), 'very.specific.com');
  });

  it('keeps IPv6 literals whole', () => {
    assert.equal(normalizeHost('[::1]:8443'), '[::1]');
    assert.equal(normalizeHost('[::1]'), '[::1]');
  });

  it('returns an empty host when there is none', () => {
    assert.equal(normalizeHost(undefined), '');
    assert.equal(normalizeHost(''), '');
  });
});

describe('HostTable', () => {
  const table = new HostTable<string>();
  table.add('abc.foo.example.com', 'exact');
  table.add('*.foo.example.com', 'long-wildcard');
  table.add('*.example.com', 'wildcard');
  table.add(null, 'catch-all');

  it('prefers the exact name, then the longest wildcard, then the catch-all', () => {
    assert.equal(table.lookup('abc.foo.example.com'), 'exact');
    assert.equal(table.lookup('bar.foo.example.com'), 'long-wildcard');
    assert.equal(table.lookup('x.y.foo.example.com'), 'long-wildcard');
    assert.equal(table.lookup('foo.example.com'), 'wildcard');
    assert.equal(table.lookup('example.com'), 'catch-all');
    assert.equal(table.lookup('other.org'), 'catch-all');
  });

  it('never lets a wildcard match its bare suffix or an empty label', () => {
    const only = new HostTable<string>();
    only.add('*.bar.com', 'w');
    assert.equal(only.lookup('bar.com'), undefined);
    assert.equal(only.lookup('.bar.com'), undefined);
    assert.equal(only.lookup('a.bar.com'), 'w');
  });

  it('keeps the first value for a repeated hostname', () => {
    const t = new HostTable<number>();
    assert.equal(t.add('a.com', 1), true);
    assert.equal(t.add('A.com', 2), false);
    assert.equal(t.lookup('a.com'), 1);
  });

  it('derives wildcard keys', () => {
    assert.equal(wildcardSuffix('*.Example.com'), '.example.com');
    assert.equal(wildcardSuffix('example.com'), undefined);
  });
});
