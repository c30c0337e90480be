// Data-plane metrics and exchange records after known traffic: exact request counts by route,
// backend, method class and status class; histogram counts and buckets; body bytes; upstream
// errors by kind (connect, reset, timeout); router and policy rejections; request ids kept or
// generated and sent upstream; and series that do not grow when clients send thousands of
// distinct paths, routable or not.

import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { WebSocket } from 'ws';
import type { ExchangeRecord } from '../../src/dataplane/types.js';
import { DataPlaneMetrics } from '../../src/observability/dataplane-metrics.js';
import { combineObservers } from '../../src/observability/observers.js';
import { type EchoBackend, startEchoBackend } from '../fixtures/backend.js';
import { startDataPlane, type TestDataPlane } from '../fixtures/dataplane.js';
import { buildIr, cluster, forwardTo, gateway, httpPort, listener, route } from '../fixtures/ir.js';
import { freePort, keepAliveClient, send, sendH2 } from '../fixtures/net.js';
import { parseMetrics, type Sample, sampleValue, seriesCount } from './metrics-text.js';

const GATEWAY = 'test/gw';

describe('data plane metrics', () => {
  let v1: EchoBackend;
  let v2: EchoBackend;
  let plane: TestDataPlane;
  let port: number;
  const registry = new Registry();
  const metrics = new DataPlaneMetrics(registry);
  const records: ExchangeRecord[] = [];
  const recorded = new EventEmitter();
  /** Resolves once `count` records have arrived in total. */
  async function recordCount(count: number): Promise<void> {
    while (records.length < count) await once(recorded, 'record');
  }
  const routes = {
    a: route(forwardTo('v1'), { prefix: '/a' }),
    b: route(forwardTo('v2'), { prefix: '/b' }),
    refused: route(forwardTo('refused'), { prefix: '/refused' }),
    reset: route(forwardTo('v1'), { prefix: '/reset' }),
    timeout: route(forwardTo('v1'), { prefix: '/timeout', timeouts: { requestMs: 100 } }),
    invalid: route(forwardTo({ weight: 1, cluster: null, invalidStatus: 500 }), { prefix: '/invalid' }),
    split: route(forwardTo('v1', 'v2'), { prefix: '/split' }),
  };
  const name = (r: (typeof routes)[keyof typeof routes]) => `${r.route.namespace}/${r.route.name}`;
  const series = (r: (typeof routes)[keyof typeof routes], backend: string) => ({
    gateway: GATEWAY,
    route: name(r),
    rule: '0',
    backend,
  });
  const unrouted = { gateway: GATEWAY, route: '', rule: '', backend: '' };
  let bodyBytesToA = 0;

  async function scrape(): Promise<Sample[]> {
    return parseMetrics(await registry.metrics());
  }

  before(async () => {
    v1 = await startEchoBackend('v1');
    v2 = await startEchoBackend('v2');
    port = await freePort();
    const closedPort = await freePort();
    const recorder = {
      onExchange: (r: ExchangeRecord) => {
        records.push({ ...r });
        recorded.emit('record');
      },
      onConnection: () => {},
    };
    plane = startDataPlane({ observer: combineObservers([metrics, recorder]) });
    await plane.applyOk(
      buildIr(
        [gateway('gw', [httpPort(port, [listener('http', null, Object.values(routes))])])],
        [
          cluster('v1', [v1.endpoint]),
          cluster('v2', [v2.endpoint]),
          cluster('refused', [{ address: '127.0.0.1', port: closedPort }]),
        ],
      ),
    );
    const body = Buffer.alloc(100, 1);
    for (let i = 0; i < 3; i++) bodyBytesToA += (await send(port, { path: `/a/${i}` })).body.length;
    for (let i = 0; i < 2; i++)
      bodyBytesToA += (await send(port, { path: '/a', method: 'POST', body })).body.length;
    bodyBytesToA += (await send(port, { path: '/a', method: 'PURGE' })).body.length;
    for (let i = 0; i < 4; i++) await send(port, { path: '/b' });
    for (let i = 0; i < 2; i++) await send(port, { path: '/refused' });
    await send(port, { path: '/reset' });
    await send(port, { path: '/timeout?delay=1000' });
    for (let i = 0; i < 2; i++) await send(port, { path: '/invalid' });
    for (let i = 0; i < 3; i++) await send(port, { path: `/nowhere/${i}` });
  });

  after(async () => {
    await plane.close();
    await v1.close();
    await v2.close();
  });

  it('counts requests by route, backend, method class and status class', async () => {
    const samples = await scrape();
    const requests = (labels: Record<string, string>, method: string, statusClass: string) =>
      sampleValue(samples, 'gatehouse_requests_total', { ...labels, method, status_class: statusClass });
    assert.equal(requests(series(routes.a, 'v1'), 'GET', '2xx'), 3);
    assert.equal(requests(series(routes.a, 'v1'), 'POST', '2xx'), 2);
    assert.equal(requests(series(routes.a, 'v1'), 'other', '2xx'), 1);
    assert.equal(requests(series(routes.b, 'v2'), 'GET', '2xx'), 4);
    assert.equal(requests(series(routes.refused, 'refused'), 'GET', '5xx'), 2);
    assert.equal(requests(series(routes.reset, 'v1'), 'GET', '5xx'), 1);
    assert.equal(requests(series(routes.timeout, 'v1'), 'GET', '5xx'), 1);
    assert.equal(requests(series(routes.invalid, ''), 'GET', '5xx'), 2);
    assert.equal(requests(unrouted, 'GET', '4xx'), 3);
    const total = samples
      .filter((s) => s.name === 'gatehouse_requests_total')
      .reduce((sum, s) => sum + s.value, 0);
    assert.equal(total, 19);
  });

  it('observes request and upstream latency per route and backend', async () => {
    const samples = await scrape();
    const count = (metric: string, labels: Record<string, string>) =>
      sampleValue(samples, `${metric}_count`, labels);
    assert.equal(count('gatehouse_request_duration_seconds', series(routes.a, 'v1')), 6);
    assert.equal(count('gatehouse_upstream_latency_seconds', series(routes.a, 'v1')), 6);
    assert.equal(count('gatehouse_request_duration_seconds', series(routes.b, 'v2')), 4);
    assert.equal(count('gatehouse_upstream_latency_seconds', series(routes.b, 'v2')), 4);
    assert.equal(count('gatehouse_request_duration_seconds', unrouted), 3);
    // No upstream answer: no upstream latency series at all.
    assert.equal(count('gatehouse_upstream_latency_seconds', series(routes.refused, 'refused')), undefined);
    assert.equal(count('gatehouse_upstream_latency_seconds', unrouted), undefined);
    // The timed-out request took the route's 100 ms: above the 50 ms bucket, within 250 ms.
    const bucket = (le: string) =>
      sampleValue(samples, 'gatehouse_request_duration_seconds_bucket', {
        ...series(routes.timeout, 'v1'),
        le,
      });
    assert.equal(bucket('0.05'), 0);
    assert.equal(bucket('0.25'), 1);
    assert.equal(bucket('+Inf'), 1);
    const sum = sampleValue(samples, 'gatehouse_request_duration_seconds_sum', series(routes.timeout, 'v1'));
    assert.ok(sum !== undefined && sum >= 0.1 && sum < 0.25, `sum ${sum}`);
  });

  it('counts body bytes both ways', async () => {
    const samples = await scrape();
    assert.equal(sampleValue(samples, 'gatehouse_request_body_bytes_total', series(routes.a, 'v1')), 200);
    assert.equal(
      sampleValue(samples, 'gatehouse_response_body_bytes_total', series(routes.a, 'v1')),
      bodyBytesToA,
    );
    assert.equal(
      sampleValue(samples, 'gatehouse_response_body_bytes_total', unrouted),
      3 * '404 Not Found\n'.length,
    );
  });

  it('counts upstream errors by kind and rejections by reason', async () => {
    const samples = await scrape();
    const errors = (labels: Record<string, string>, kind: string) =>
      sampleValue(samples, 'gatehouse_upstream_errors_total', { ...labels, kind });
    assert.equal(errors(series(routes.refused, 'refused'), 'connect'), 2);
    assert.equal(errors(series(routes.reset, 'v1'), 'reset'), 1);
    assert.equal(errors(series(routes.timeout, 'v1'), 'timeout'), 1);
    assert.equal(samples.filter((s) => s.name === 'gatehouse_upstream_errors_total').length, 3);
    const rejected = (reason: string) =>
      sampleValue(samples, 'gatehouse_requests_rejected_total', { gateway: GATEWAY, reason });
    assert.equal(rejected('no_route'), 3);
    assert.equal(rejected('invalid_backend'), 2);
  });

  it('records each exchange with its route, endpoint and request id, and sends the id upstream', async () => {
    const before = records.length;
    await send(port, { path: '/b/kept', headers: { 'x-request-id': 'client-id-1' } });
    await send(port, { path: '/b/replaced', headers: { 'x-request-id': 'has a space' } });
    const [kept, replaced] = records.slice(before);
    assert.ok(kept !== undefined && replaced !== undefined);
    assert.deepEqual(
      { ...kept, startTime: 0, durationMs: 0, upstreamMs: 0, bytesOut: 0 },
      {
        startTime: 0,
        gateway: GATEWAY,
        listener: 'http',
        route: name(routes.b),
        rule: 0,
        backend: 'v2',
        method: 'GET',
        authority: `127.0.0.1:${port}`,
        path: '/b/kept',
        protocol: 'HTTP/1.1',
        status: 200,
        bytesIn: 0,
        bytesOut: 0,
        durationMs: 0,
        upstreamMs: 0,
        upstreamAddress: `127.0.0.1:${v2.port}`,
        requestId: 'client-id-1',
        errorKind: '',
        rejection: '',
      },
    );
    assert.match(replaced.requestId, /^[0-9a-f]{12}-[0-9a-z]+$/);
    const seenUpstream = v2.requests.slice(-2).map((r) => r.headers['x-request-id']);
    assert.deepEqual(seenUpstream, ['client-id-1', replaced.requestId]);
  });

  it('records HTTP/2 requests and WebSocket tunnels too', async () => {
    const before = records.length;
    assert.equal((await sendH2(port, { path: '/b/h2' })).status, 200);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/a/ws`);
    await once(ws, 'open');
    ws.send('hello');
    const [echoed] = await once(ws, 'message');
    assert.equal(String(echoed), 'v1:hello');
    const closed = once(ws, 'close');
    ws.close();
    await closed;
    // The tunnel's record completes when the gateway closes the client socket.
    await recordCount(before + 2);
    const [h2, tunnel] = records.slice(before);
    assert.deepEqual(
      [h2?.protocol, h2?.status, h2?.route, h2?.backend],
      ['HTTP/2', 200, name(routes.b), 'v2'],
    );
    assert.deepEqual(
      [tunnel?.protocol, tunnel?.status, tunnel?.route, tunnel?.backend, tunnel?.upstreamAddress],
      ['HTTP/1.1', 101, name(routes.a), 'v1', `127.0.0.1:${v1.port}`],
    );
    assert.ok((tunnel?.bytesIn ?? 0) > 0 && (tunnel?.bytesOut ?? 0) > 0);
    assert.equal(plane.stats().inFlight, 0);
  });

  it('keeps the series bounded when clients send thousands of distinct paths', async () => {
    const samplesBefore = await scrape();
    const seriesBefore = seriesCount(samplesBefore, 'gatehouse_');
    const routeSeriesBefore = metrics.seriesCount;
    const aBefore = sampleValue(samplesBefore, 'gatehouse_requests_total', {
      ...series(routes.a, 'v1'),
      method: 'GET',
      status_class: '2xx',
    });
    const client = keepAliveClient(port, 20);
    try {
      const paths = Array.from({ length: 5000 }, (_, i) =>
        i % 2 === 0 ? `/a/${i}?q=${i}` : `/unknown-${i}`,
      );
      for (let i = 0; i < paths.length; i += 100) {
        await Promise.all(paths.slice(i, i + 100).map((p) => client.get(p, { host: `h${i}.test` })));
      }
    } finally {
      await client.close();
    }
    const samplesAfter = await scrape();
    assert.equal(seriesCount(samplesAfter, 'gatehouse_'), seriesBefore);
    assert.equal(metrics.seriesCount, routeSeriesBefore);
    const aAfter = sampleValue(samplesAfter, 'gatehouse_requests_total', {
      ...series(routes.a, 'v1'),
      method: 'GET',
      status_class: '2xx',
    });
    assert.equal((aAfter ?? 0) - (aBefore ?? 0), 2500);
  });

  // Runs last: the tests above count every request sent before them.
  it('counts a rule split across backends under each backend, apart from other routes to them', async () => {
    const before = await scrape();
    const count = (samples: Sample[], r: (typeof routes)[keyof typeof routes], backend: string) =>
      sampleValue(samples, 'gatehouse_requests_total', {
        ...series(r, backend),
        method: 'GET',
        status_class: '2xx',
      }) ?? 0;
    const answeredBy = { v1: 0, v2: 0 };
    for (let i = 0; i < 40; i++) {
      const backend = (await send(port, { path: `/split/${i}` })).headers['x-backend'];
      assert.ok(backend === 'v1' || backend === 'v2', `answered by ${backend}`);
      answeredBy[backend]++;
    }
    assert.ok(answeredBy.v1 > 0 && answeredBy.v2 > 0, JSON.stringify(answeredBy));
    const after = await scrape();
    assert.equal(count(after, routes.split, 'v1'), answeredBy.v1);
    assert.equal(count(after, routes.split, 'v2'), answeredBy.v2);
    assert.equal(count(after, routes.a, 'v1'), count(before, routes.a, 'v1'));
    assert.equal(count(after, routes.b, 'v2'), count(before, routes.b, 'v2'));
  });
});
