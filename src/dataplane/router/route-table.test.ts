import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RouteIR } from '../../ir/types.js';
import { BaseMatchRequest, compileRouteMatch } from './match.js';
import { RouteTable } from './route-table.js';

class TestRequest extends BaseMatchRequest {
  constructor(
    url: string,
    private readonly headers: Record<string, string> = {},
    method = 'GET',
    host = 'example.com',
  ) {
    const q = url.indexOf('?');
    super(method, host, q === -1 ? url : url.slice(0, q), q === -1 ? '' : url.slice(q + 1));
  }
  header(name: string): string | undefined {
    return this.headers[name];
  }
}

type RouteSpec = Partial<Pick<RouteIR, 'hostnames' | 'method' | 'headers' | 'queryParams'>> & {
  id: string;
  path?: RouteIR['path'];
};

function table(specs: RouteSpec[]): RouteTable<string> {
  const t = new RouteTable<string>();
  specs.forEach((spec, order) => {
    const ir = {
      hostnames: [],
      path: { type: 'PathPrefix', value: '/' },
      headers: [],
      queryParams: [],
      ...spec,
    } as unknown as RouteIR;
    t.add(ir.hostnames, compileRouteMatch(ir, order), spec.id);
  });
  return t;
}

const prefix = (value: string) => ({ type: 'PathPrefix' as const, value });
const exact = (value: string) => ({ type: 'Exact' as const, value });

function find(t: RouteTable<string>, req: TestRequest): string | undefined {
  return t.find(req)?.value;
}

describe('RouteTable path matching', () => {
  const t = table([
    { id: 'exact-one', path: exact('/one') },
    { id: 'v2', path: prefix('/v2') },
    { id: 'deep', path: prefix('/match/exact/') },
    { id: 'regex', path: { type: 'RegularExpression', value: '/re/[0-9]+' } },
    { id: 'root', path: prefix('/') },
  ]);

  it('matches Exact paths only exactly (case and trailing slash matter)', () => {
    assert.equal(find(t, new TestRequest('/one')), 'exact-one');
    assert.equal(find(t, new TestRequest('/one/')), 'root');
    assert.equal(find(t, new TestRequest('/One')), 'root');
  });

  it('matches PathPrefix by whole segments', () => {
    for (const path of ['/v2', '/v2/', '/v2/example', '/v2?x=1']) {
      assert.equal(find(t, new TestRequest(path)), 'v2', path);
    }
    assert.equal(find(t, new TestRequest('/v2example')), 'root');
    assert.equal(find(t, new TestRequest('/foo/v2/example')), 'root');
  });

  it('ignores a trailing slash in the prefix', () => {
    assert.equal(find(t, new TestRequest('/match/exact')), 'deep');
    assert.equal(find(t, new TestRequest('/match/exact/one')), 'deep');
    assert.equal(find(t, new TestRequest('/match/exactly')), 'root');
  });

  it('matches regular expressions against the whole path', () => {
    assert.equal(find(t, new TestRequest('/re/42')), 'regex');
    assert.equal(find(t, new TestRequest('/re/42x')), 'root');
  });
});

describe('RouteTable precedence', () => {
  it('returns the first route in IR order among the ones that match', () => {
    const t = table([
      { id: 'header', path: prefix('/'), headers: [{ name: 'version', type: 'Exact', value: 'two' }] },
      { id: 'v2', path: prefix('/v2') },
      { id: 'root', path: prefix('/') },
    ]);
    assert.equal(find(t, new TestRequest('/v2', { version: 'two' })), 'header');
    assert.equal(find(t, new TestRequest('/v2')), 'v2');
    assert.equal(find(t, new TestRequest('/x')), 'root');
  });

  it('checks method, headers (regex too) and query parameters', () => {
    const t = table([
      { id: 'post', method: 'POST' },
      { id: 'color', headers: [{ name: 'color', type: 'RegularExpression', value: 'bl(ue|ack)' }] },
      {
        id: 'dolphin-blue',
        queryParams: [
          { name: 'animal', type: 'Exact', value: 'dolphin' },
          { name: 'color', type: 'Exact', value: 'blue' },
        ],
      },
      { id: 'whale', queryParams: [{ name: 'animal', type: 'Exact', value: 'whale' }] },
    ]);
    assert.equal(find(t, new TestRequest('/', {}, 'POST')), 'post');
    assert.equal(find(t, new TestRequest('/', { color: 'black' })), 'color');
    assert.equal(find(t, new TestRequest('/', { color: 'blues' })), undefined);
    assert.equal(find(t, new TestRequest('/?animal=dolphin&color=blue')), 'dolphin-blue');
    assert.equal(find(t, new TestRequest('/?animal=whale&animal=dolphin')), 'whale');
    assert.equal(find(t, new TestRequest('/?ANIMAL=whale')), undefined);
    assert.equal(find(t, new TestRequest('/?animal=Whale')), undefined);
  });

  it('only counts the first condition on a repeated header name', () => {
    const t = table([
      {
        id: 'first',
        headers: [
          { name: 'Version', type: 'Exact', value: 'one' },
          { name: 'version', type: 'Exact', value: 'two' },
        ],
      },
    ]);
    assert.equal(find(t, new TestRequest('/', { version: 'one' })), 'first');
  });
});

describe('RouteTable hostnames', () => {
  const t = table([
    { id: 'wild-v2', hostnames: ['*.example.com'], path: prefix('/v2') },
    { id: 'exact-any', hostnames: ['foo.example.com'], path: prefix('/exact') },
    { id: 'long-wild', hostnames: ['*.foo.example.com'] },
    { id: 'wild-root', hostnames: ['*.example.com'] },
    { id: 'no-host', path: prefix('/') },
  ]);
  const at = (host: string, path: string) => find(t, new TestRequest(path, {}, 'GET', host));

  it('tries exact-host routes first, then wildcards by length, then routes without hostnames', () => {
    assert.equal(at('foo.example.com', '/exact'), 'exact-any');
    assert.equal(at('foo.example.com', '/v2'), 'wild-v2');
    assert.equal(at('foo.example.com', '/other'), 'wild-root');
    assert.equal(at('a.foo.example.com', '/v2'), 'long-wild');
    assert.equal(at('bar.example.com', '/v2'), 'wild-v2');
    assert.equal(at('other.org', '/v2'), 'no-host');
  });
});

describe('a hostname with a single route (checked without the trie)', () => {
  const paths = [
    '/',
    '/v2',
    '/v2/',
    '/v2/x',
    '/v2x',
    '/v',
    '/v2//x',
    '/V2',
    '*',
    '/v2?q=1',
    '/exact',
    '/exact/',
  ];
  const singles: RouteSpec[] = [
    { id: 'prefix', path: { type: 'PathPrefix', value: '/v2' } },
    { id: 'prefix-slash', path: { type: 'PathPrefix', value: '/v2/' } },
    { id: 'root', path: { type: 'PathPrefix', value: '/' } },
    { id: 'exact', path: { type: 'Exact', value: '/exact' } },
    { id: 'regex', path: { type: 'RegularExpression', value: '/v[0-9]+/.*' } },
    { id: 'method', path: { type: 'PathPrefix', value: '/v2' }, method: 'POST' },
    {
      id: 'header',
      path: { type: 'PathPrefix', value: '/v2' },
      headers: [{ type: 'Exact', name: 'x-v', value: '1' }],
    },
    {
      id: 'query',
      path: { type: 'Exact', value: '/exact' },
      queryParams: [{ type: 'Exact', name: 'q', value: '1' }],
    },
  ];
  const requestsTo = (path: string) => [
    new TestRequest(path, {}, 'GET', 'a.example'),
    new TestRequest(path, { 'x-v': '1' }, 'POST', 'a.example'),
    new TestRequest(`${path}?q=1`, { 'x-v': '2' }, 'GET', 'a.example'),
  ];
  for (const single of singles) {
    it(`${single.id}: the same answers as through the trie`, () => {
      // A second route that never matches (another method) keeps the index on its general path.
      const alone = table([{ ...single, hostnames: ['a.example'] }]);
      const withOther = table([
        { ...single, hostnames: ['a.example'] },
        { id: 'never', hostnames: ['a.example'], method: 'NEVER' },
      ]);
      let matched = 0;
      for (const req of paths.flatMap(requestsTo)) {
        const found = alone.find(req)?.value;
        assert.equal(found, withOther.find(req)?.value, `${single.id} on ${req.method} ${req.path}`);
        if (found !== undefined) matched++;
      }
      assert.ok(matched > 0, `${single.id} matched nothing`);
    });
  }

  it('answers its own route and nothing else', () => {
    const t = table([{ id: 'p', hostnames: ['a.example'], path: { type: 'PathPrefix', value: '/v2' } }]);
    assert.equal(t.find(new TestRequest('/v2/x', {}, 'GET', 'a.example'))?.value, 'p');
    assert.equal(t.find(new TestRequest('/v2x', {}, 'GET', 'a.example')), undefined);
  });
});
