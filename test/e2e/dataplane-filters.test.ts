// Filters and gateway-answered actions end to end: request and response header modifiers (rule
// and backend level), redirects (scheme, host, port, path), URL rewrites (host, full path,
// prefix), CORS (preflight and actual requests), direct responses and invalid backends.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HeaderModIR } from '../../src/ir/types.js';
import { type EchoBackend, startEchoBackend } from '../fixtures/backend.js';
import { startDataPlane, type TestDataPlane } from '../fixtures/dataplane.js';
import { buildIr, cluster, forwardTo, gateway, httpPort, listener, route } from '../fixtures/ir.js';
import { freePort, send } from '../fixtures/net.js';

const mods = (m: Partial<HeaderModIR>): HeaderModIR => ({ set: [], add: [], remove: [], ...m });

describe('data plane filters', () => {
  let backend: EchoBackend;
  let plane: TestDataPlane;
  let port: number;
  let port8080: number;

  before(async () => {
    backend = await startEchoBackend('v1');
    port = await freePort();
    port8080 = await freePort();
    plane = startDataPlane();
    const redirect = (prefix: string, r: Record<string, unknown>) =>
      route({ type: 'redirect', statusCode: 302, ...r }, { prefix });
    const redirects = [
      redirect('/scheme-nil-and-port-nil', { hostname: 'example.org' }),
      redirect('/scheme-nil-and-port-80', { hostname: 'example.org', port: 80 }),
      redirect('/scheme-https-and-port-nil', { scheme: 'https', hostname: 'example.org' }),
      redirect('/scheme-https-and-port-8443', { scheme: 'https', port: 8443, hostname: 'example.org' }),
      route(
        {
          type: 'redirect',
          statusCode: 301,
          path: { type: 'ReplacePrefixMatch', value: '/replacement-prefix' },
        },
        { prefix: '/original-prefix' },
      ),
    ];
    await plane.applyOk(
      buildIr(
        [
          gateway('gw', [
            httpPort(port, [
              listener('http', null, [
                route(forwardTo('v1'), {
                  prefix: '/headers',
                  filters: {
                    requestHeaders: mods({
                      set: [{ name: 'X-Header-Set', value: 'set-overwrites-values' }],
                      add: [{ name: 'X-Header-Add', value: 'add-appends-values' }],
                      remove: ['X-Header-Remove'],
                    }),
                    responseHeaders: mods({
                      set: [{ name: 'X-Resp-Set', value: 'rule' }],
                      add: [{ name: 'X-Resp-Add', value: 'rule-added' }],
                      remove: ['X-Resp-Remove'],
                    }),
                  },
                }),
                route(
                  forwardTo({
                    weight: 1,
                    cluster: 'v1',
                    requestHeaders: mods({ set: [{ name: 'Backend', value: 'v1' }] }),
                    responseHeaders: mods({ set: [{ name: 'X-Resp-Set', value: 'backend' }] }),
                  }),
                  {
                    prefix: '/backend-headers',
                    filters: { responseHeaders: mods({ set: [{ name: 'X-Resp-Set', value: 'rule' }] }) },
                  },
                ),
                ...redirects,
                route(forwardTo('v1'), {
                  prefix: '/prefix/one',
                  filters: { urlRewrite: { path: { type: 'ReplacePrefixMatch', value: '/one' } } },
                }),
                route(forwardTo('v1'), {
                  prefix: '/strip-prefix',
                  filters: { urlRewrite: { path: { type: 'ReplacePrefixMatch', value: '/' } } },
                }),
                route(forwardTo('v1'), {
                  prefix: '/full/one',
                  filters: {
                    urlRewrite: {
                      hostname: 'rewritten.example.org',
                      path: { type: 'ReplaceFullPath', value: '/one' },
                    },
                  },
                }),
                route(forwardTo('v1'), {
                  prefix: '/cors-1',
                  filters: {
                    cors: {
                      allowOrigins: ['https://www.foo.com', 'https://*.bar.com'],
                      allowCredentials: true,
                      allowMethods: ['GET', 'OPTIONS'],
                      allowHeaders: ['x-header-1', 'x-header-2'],
                      exposeHeaders: ['x-header-3'],
                      maxAge: 3600,
                    },
                  },
                }),
                route({ type: 'direct', status: 500 }, { prefix: '/direct' }),
                route({ type: 'direct', status: 403, body: 'forbidden here' }, { prefix: '/direct-body' }),
                route(forwardTo({ weight: 1, cluster: null }), { prefix: '/invalid' }),
                route(forwardTo({ weight: 1, cluster: null, invalidStatus: 503 }), {
                  prefix: '/invalid-503',
                }),
                route(forwardTo(), { prefix: '/no-backends' }),
                route(forwardTo('missing-cluster'), { prefix: '/unknown-cluster' }),
              ]),
            ]),
            httpPort(port8080, [listener('http-8080', null, redirects)]),
          ]),
        ],
        [cluster('v1', [backend.endpoint])],
      ),
    );
  });

  after(async () => {
    await plane.close();
    await backend.close();
  });

  it('modifies request headers: set overwrites, add appends comma-joined, remove deletes', async () => {
    const echo = (
      await send(port, {
        path: '/headers',
        headers: {
          'x-header-set': 'some-other-value',
          'x-header-add': 'some-other-value',
          'x-header-remove': 'x',
        },
      })
    ).json();
    assert.equal(echo.headers['x-header-set'], 'set-overwrites-values');
    assert.equal(echo.headers['x-header-add'], 'some-other-value,add-appends-values');
    assert.equal(echo.headers['x-header-remove'], undefined);
  });

  it('modifies response headers, the backend modifier after the rule one', async () => {
    const reply = await send(port, {
      path: '/headers',
      headers: { 'x-echo-set-header': 'X-Resp-Add:from-backend,X-Resp-Remove:gone,X-Resp-Set:original' },
    });
    assert.equal(reply.headers['x-resp-set'], 'rule');
    assert.equal(reply.headers['x-resp-add'], 'from-backend,rule-added');
    assert.equal(reply.headers['x-resp-remove'], undefined);
    const perBackend = await send(port, { path: '/backend-headers' });
    assert.equal(perBackend.json().headers.backend, 'v1');
    assert.equal(perBackend.headers['x-resp-set'], 'backend');
  });

  it('redirects keeping the listener port unless a scheme or port is configured', async () => {
    const location = async (p: number, path: string) => {
      const reply = await send(p, { path, host: 'gw.test' });
      assert.equal(reply.status, 302);
      return reply.headers.location;
    };
    assert.equal(
      await location(port8080, '/scheme-nil-and-port-nil'),
      `http://example.org:${port8080}/scheme-nil-and-port-nil`,
    );
    assert.equal(
      await location(port8080, '/scheme-nil-and-port-80'),
      'http://example.org/scheme-nil-and-port-80',
    );
    assert.equal(
      await location(port8080, '/scheme-https-and-port-nil'),
      'https://example.org/scheme-https-and-port-nil',
    );
    assert.equal(
      await location(port8080, '/scheme-https-and-port-8443'),
      'https://example.org:8443/scheme-https-and-port-8443',
    );
  });

  it('redirects with a replaced path prefix, the query kept, and the configured status', async () => {
    const reply = await send(port, { path: '/original-prefix/lemon?x=1', host: 'gw.test:1234' });
    assert.equal(reply.status, 301);
    assert.equal(reply.headers.location, `http://gw.test:${port}/replacement-prefix/lemon?x=1`);
  });

  it('rewrites the path (prefix and full) and the Host, keeping the query', async () => {
    assert.equal((await send(port, { path: '/prefix/one/two?q=1' })).json().path, '/one/two?q=1');
    assert.equal((await send(port, { path: '/strip-prefix/three' })).json().path, '/three');
    assert.equal((await send(port, { path: '/strip-prefix' })).json().path, '/');
    const echo = (await send(port, { path: '/full/one/two', host: 'original.test' })).json();
    assert.equal(echo.path, '/one');
    assert.equal(echo.host, 'rewritten.example.org');
    assert.equal(echo.headers['x-forwarded-host'], 'original.test');
  });

  it('answers CORS preflights itself', async () => {
    const reply = await send(port, {
      path: '/cors-1',
      method: 'OPTIONS',
      headers: {
        origin: 'https://xpto.www.bar.com',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'x-header-1, x-header-2',
      },
    });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['access-control-allow-origin'], 'https://xpto.www.bar.com');
    assert.equal(reply.headers['access-control-allow-methods'], 'GET, OPTIONS');
    assert.equal(reply.headers['access-control-allow-headers'], 'x-header-1, x-header-2');
    assert.equal(reply.headers['access-control-expose-headers'], 'x-header-3');
    assert.equal(reply.headers['access-control-max-age'], '3600');
    assert.equal(reply.headers['access-control-allow-credentials'], 'true');
    assert.equal(backend.requests.filter((r) => r.method === 'OPTIONS').length, 0);
    const denied = await send(port, {
      path: '/cors-1',
      method: 'OPTIONS',
      headers: { origin: 'https://foobar.com', 'access-control-request-method': 'GET' },
    });
    assert.equal(denied.headers['access-control-allow-origin'], undefined);
  });

  it('adds CORS headers to actual requests from an allowed origin only', async () => {
    const allowed = await send(port, { path: '/cors-1', headers: { origin: 'https://www.foo.com' } });
    assert.equal(allowed.json().backend, 'v1');
    assert.equal(allowed.headers['access-control-allow-origin'], 'https://www.foo.com');
    assert.equal(allowed.headers['access-control-allow-credentials'], 'true');
    const denied = await send(port, { path: '/cors-1', headers: { origin: 'https://foobar.com' } });
    assert.equal(denied.status, 200);
    assert.equal(denied.headers['access-control-allow-origin'], undefined);
  });

  it('answers direct responses and invalid backends with their status', async () => {
    const direct = await send(port, { path: '/direct' });
    assert.equal(direct.status, 500);
    assert.equal(direct.headers['content-type'], 'text/plain');
    const withBody = await send(port, { path: '/direct-body' });
    assert.equal(withBody.status, 403);
    assert.equal(withBody.text(), 'forbidden here');
    assert.equal((await send(port, { path: '/invalid' })).status, 500);
    assert.equal((await send(port, { path: '/invalid-503' })).status, 503);
    assert.equal((await send(port, { path: '/no-backends' })).status, 500);
    assert.equal((await send(port, { path: '/unknown-cluster' })).status, 500);
  });
});
