// Routing end to end: listener selection by Host (exact, wildcard, catch-all, port ignored),
// listener isolation, route precedence across hostnames and within a listener, matches on path,
// method, headers and query — through real sockets to real backends.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type EchoBackend, startEchoBackend } from '../fixtures/backend.js';
import { startDataPlane, type TestDataPlane } from '../fixtures/dataplane.js';
import {
  buildIr,
  cluster,
  exactHeader,
  forwardTo,
  gateway,
  httpPort,
  listener,
  route,
} from '../fixtures/ir.js';
import { freePort, send } from '../fixtures/net.js';

describe('data plane routing', () => {
  const backends: Record<string, EchoBackend> = {};
  let plane: TestDataPlane;
  let port: number;

  const backendOf = async (path: string, host: string, extra: Parameters<typeof send>[1] = {}) => {
    const reply = await send(port, { path, host, ...extra });
    return reply.status === 200 ? reply.json().backend : reply.status;
  };

  before(async () => {
    for (const name of ['v1', 'v2', 'v3', 'exact', 'wild', 'longwild', 'any']) {
      backends[name] = await startEchoBackend(name);
    }
    port = await freePort();
    plane = startDataPlane();
    const clusters = Object.values(backends).map((b) => cluster(b.name, [b.endpoint]));
    await plane.applyOk(
      buildIr(
        [
          gateway('gw', [
            httpPort(port, [
              listener('exact', 'abc.foo.example.com', [route(forwardTo('exact'))]),
              listener('long-wildcard', '*.foo.example.com', [
                route(forwardTo('longwild'), { hostnames: ['*.foo.example.com'] }),
              ]),
              listener('wildcard', '*.example.com', [
                route(forwardTo('wild'), { hostnames: ['*.example.com'], prefix: '/wildcard-example-com' }),
              ]),
              listener('any', null, [
                route(forwardTo('v2'), { hostnames: ['matching.test'], prefix: '/v2' }),
                route(forwardTo('v2'), {
                  hostnames: ['matching.test'],
                  headers: [exactHeader('version', 'two')],
                }),
                route(forwardTo('v1'), { hostnames: ['matching.test'], exact: '/exact' }),
                route(forwardTo('v3'), { hostnames: ['matching.test'], method: 'POST', prefix: '/method' }),
                route(forwardTo('v1'), { hostnames: ['matching.test'], method: 'GET', prefix: '/method' }),
                route(forwardTo('v3'), {
                  hostnames: ['matching.test'],
                  queryParams: [{ name: 'animal', type: 'Exact', value: 'whale' }],
                }),
                route(forwardTo('v1'), { hostnames: ['matching.test'], prefix: '/' }),
                route(forwardTo('v3'), { hostnames: ['*.wild.test'], prefix: '/only-wild' }),
                route(forwardTo('v3'), { hostnames: ['*.wild.test'], prefix: '/both' }),
                route(forwardTo('v2'), { hostnames: ['x.wild.test'], prefix: '/both' }),
                route(forwardTo('v2'), { hostnames: ['x.wild.test'], prefix: '/exact-host' }),
                route(forwardTo('any'), { regex: '/re/[a-z]+' }),
              ]),
            ]),
          ]),
        ],
        clusters,
      ),
    );
  });

  after(async () => {
    await plane.close();
    await Promise.all(Object.values(backends).map((b) => b.close()));
  });

  it('picks the most specific listener for the Host and ignores its port', async () => {
    assert.equal(await backendOf('/', 'abc.foo.example.com'), 'exact');
    assert.equal(await backendOf('/', 'bar.foo.example.com:8080'), 'longwild');
    assert.equal(await backendOf('/', 'Deep.Bar.Foo.Example.Com'), 'longwild');
    assert.equal(await backendOf('/wildcard-example-com', 'foo.example.com'), 'wild');
  });

  it("isolates listeners: only the selected listener's routes are candidates", async () => {
    assert.equal(await backendOf('/wildcard-example-com', 'bar.foo.example.com'), 'longwild');
    assert.equal(await backendOf('/other', 'foo.example.com'), 404);
    assert.equal(await backendOf('/re/abc', 'foo.example.com'), 404);
  });

  it('answers 404 with a short text body when nothing matches', async () => {
    const reply = await send(port, { path: '/re/123', host: 'unknown.test' });
    assert.equal(reply.status, 404);
    assert.equal(reply.headers['content-type'], 'text/plain');
    assert.equal(reply.text(), '404 Not Found\n');
  });

  it('matches paths by segment, exactly, and by regular expression', async () => {
    assert.equal(await backendOf('/v2', 'matching.test'), 'v2');
    assert.equal(await backendOf('/v2/', 'matching.test'), 'v2');
    assert.equal(await backendOf('/v2/example', 'matching.test'), 'v2');
    assert.equal(await backendOf('/v2example', 'matching.test'), 'v1');
    assert.equal(await backendOf('/exact', 'matching.test'), 'v1');
    assert.equal(await backendOf('/re/abc', 'other.test'), 'any');
    assert.equal(await backendOf('/re/abc1', 'other.test'), 404);
  });

  it('respects the IR order: the first matching route wins', async () => {
    assert.equal(await backendOf('/exact', 'matching.test', { headers: { Version: 'two' } }), 'v2');
    assert.equal(await backendOf('/anything?animal=whale', 'matching.test'), 'v3');
    assert.equal(await backendOf('/anything?animal=Whale', 'matching.test'), 'v1');
  });

  it('matches the method', async () => {
    assert.equal(await backendOf('/method', 'matching.test', { method: 'POST' }), 'v3');
    assert.equal(await backendOf('/method', 'matching.test', { method: 'GET' }), 'v1');
    assert.equal(await backendOf('/method', 'matching.test', { method: 'PUT' }), 'v1');
  });

  it('tries routes of the exact hostname before wildcard ones, falling back when none matches', async () => {
    assert.equal(await backendOf('/both', 'x.wild.test'), 'v2');
    assert.equal(await backendOf('/both', 'y.wild.test'), 'v3');
    assert.equal(await backendOf('/exact-host', 'x.wild.test'), 'v2');
    assert.equal(await backendOf('/only-wild', 'x.wild.test'), 'v3');
    assert.equal(await backendOf('/exact-host', 'y.wild.test'), 404);
  });

  it('sends the raw path and query to the backend and keeps the Host', async () => {
    const echo = (await send(port, { path: '/v2/a%20b?x=1&y=%2F', host: 'matching.test:9999' })).json();
    assert.equal(echo.path, '/v2/a%20b?x=1&y=%2F');
    assert.equal(echo.host, 'matching.test:9999');
  });
});
