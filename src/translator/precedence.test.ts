import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PathMatchIR, RouteIR } from '../ir/types.js';
import { compareRoutePrecedence, type RankedRoute, sortByPrecedence } from './precedence.js';

interface Spec {
  id: string;
  path?: PathMatchIR;
  method?: string;
  headers?: number;
  queryParams?: number;
  route?: string;
  created?: number;
  rule?: number;
  match?: number;
}

function ranked(spec: Spec): RankedRoute {
  const [namespace = 'ns', name = 'route'] = (spec.route ?? 'ns/route').split('/');
  const values = (count = 0) =>
    Array.from({ length: count }, (_, i) => ({ name: `n${i}`, type: 'Exact' as const, value: 'v' }));
  const ir: RouteIR = {
    id: spec.id,
    route: { namespace, name },
    rule: spec.rule ?? 0,
    match: spec.match ?? 0,
    hostnames: [],
    path: spec.path ?? { type: 'PathPrefix', value: '/' },
    headers: values(spec.headers),
    queryParams: values(spec.queryParams),
    filters: {},
    action: { type: 'direct', status: 500 },
    timeouts: {},
  };
  if (spec.method) ir.method = spec.method;
  return { ir, created: spec.created };
}

function order(...specs: Spec[]): string[] {
  return sortByPrecedence(specs.map(ranked)).map((route) => route.id);
}

describe('route precedence', () => {
  it('puts Exact before RegularExpression before PathPrefix', () => {
    assert.deepEqual(
      order(
        { id: 'prefix', path: { type: 'PathPrefix', value: '/a/very/long/prefix' } },
        { id: 'regex', path: { type: 'RegularExpression', value: '/a.*' } },
        { id: 'exact', path: { type: 'Exact', value: '/a' } },
      ),
      ['exact', 'regex', 'prefix'],
    );
  });
  it('puts longer prefixes first', () => {
    assert.deepEqual(
      order(
        { id: 'short', path: { type: 'PathPrefix', value: '/a' } },
        { id: 'long', path: { type: 'PathPrefix', value: '/a/b' } },
      ),
      ['long', 'short'],
    );
  });
  it('then a method match, then more headers, then more query params', () => {
    assert.deepEqual(
      order(
        { id: 'query', queryParams: 3 },
        { id: 'headers-1', headers: 1 },
        { id: 'headers-2', headers: 2, queryParams: 0 },
        { id: 'method', method: 'GET' },
        { id: 'nothing' },
      ),
      ['method', 'headers-2', 'headers-1', 'query', 'nothing'],
    );
  });
  it('breaks ties by the oldest route, then namespace/name, then rule and match index', () => {
    assert.deepEqual(
      order(
        { id: 'no-timestamp', route: 'a/a' },
        { id: 'newer', route: 'a/a-newer', created: 2000 },
        { id: 'older', route: 'z/z', created: 1000 },
        { id: 'same-time-b', route: 'a/b', created: 2000 },
        { id: 'b-rule-1', route: 'b/b', created: 3000, rule: 1 },
        { id: 'b-rule-0-match-1', route: 'b/b', created: 3000, rule: 0, match: 1 },
        { id: 'b-rule-0-match-0', route: 'b/b', created: 3000, rule: 0, match: 0 },
      ),
      ['older', 'newer', 'same-time-b', 'b-rule-0-match-0', 'b-rule-0-match-1', 'b-rule-1', 'no-timestamp'],
    );
  });
  it('is a total order: no two distinct matches compare equal', () => {
    const a = ranked({ id: 'a', route: 'ns/a' });
    const b = ranked({ id: 'b', route: 'ns/b' });
    assert.ok(compareRoutePrecedence(a, b) < 0);
    assert.ok(compareRoutePrecedence(b, a) > 0);
    assert.equal(compareRoutePrecedence(a, a), 0);
  });
});
