// Data-plane metrics. `DataPlaneMetrics` is a DataPlaneObserver: each completed request adds to
// plain numbers of a RouteSeries kept per (gateway, route, rule, backend), found through the
// record's target in one lookup — every label value comes from the configuration, never from the
// request, so the series stay bounded whatever clients send — and prom-client reads them at scrape time (see scraped-metrics.ts). Connection
// counts use prom-client directly (connections are far rarer than requests); in-flight requests,
// draining and upstream pool usage are read from the data plane's stats() when scraped.

import { Counter, Gauge, type Registry } from 'prom-client';
import type {
  ConnectionEvent,
  ConnectionInfo,
  DataPlaneObserver,
  DataPlaneStats,
  ExchangeRecord,
  UpstreamStats,
} from '../dataplane/types.js';
import { METHOD_CLASSES, methodClassIndex, STATUS_CLASSES, statusClassIndex } from './labels.js';
import {
  HistogramData,
  type Labels,
  NumberSlab,
  observeInto,
  ScrapedCounter,
  ScrapedHistogram,
} from './scraped-metrics.js';

/** Seconds; from sub-millisecond local hops to minute-long streams. */
export const LATENCY_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];
const ERROR_KINDS = ['connect', 'reset', 'timeout', 'other'] as const;
const REJECTIONS = ['no_route', 'misdirected', 'invalid_backend'] as const;
const STATUS_COUNT = STATUS_CLASSES.length;

const REQUEST_CELLS = METHOD_CLASSES.length * STATUS_COUNT;
const HISTOGRAM_SIZE = HistogramData.size(LATENCY_BUCKETS);
/**
 * Where each number of a series is, from its base: see RouteSeries. What every request adds to
 * comes first, so that with thousands of series a request touches three cache lines, not six.
 */
const AT = (() => {
  const bytesIn = 0;
  const duration = bytesIn + 2;
  const upstream = duration + HISTOGRAM_SIZE;
  const requests = upstream + HISTOGRAM_SIZE;
  const errors = requests + REQUEST_CELLS;
  const rejections = errors + ERROR_KINDS.length;
  const end = rejections + REJECTIONS.length;
  // Whole 64-byte lines per series, so every series lines up the same way.
  const size = Math.ceil(end / 8) * 8;
  return { bytesIn, bytesOut: bytesIn + 1, duration, upstream, requests, errors, rejections, size };
})();

/**
 * The numbers of one (gateway, route, rule, backend), laid out in a run of a shared array: body
 * bytes in and out, the duration and upstream latency histograms, request counts by method class
 * × status class, upstream errors by kind, rejections by reason.
 */
class RouteSeries {
  /** labels.backend, read without the labels object. */
  readonly backend: string;

  constructor(
    /** The metrics keeping this series (a target may be seen by several, in tests). */
    readonly owner: object,
    readonly labels: Labels,
    readonly cells: Float64Array,
    readonly base: number,
  ) {
    this.backend = labels.backend as string;
  }

  add(at: number, value: number): void {
    const i = this.base + at;
    this.cells[i] = (this.cells[i] as number) + value;
  }

  get(at: number): number {
    return this.cells[this.base + at] as number;
  }

  histogram(at: number): HistogramData {
    return new HistogramData(LATENCY_BUCKETS, this.cells, this.base + at);
  }
}

type ByBackend = Map<string, RouteSeries>;

/** Where a target keeps its series. */
const SERIES = Symbol('gatehouse.metrics.series');
type SeriesHolder = { [SERIES]?: RouteSeries };

export class DataPlaneMetrics implements DataPlaneObserver {
  /** gateway → route → rule → backend. Label strings come from the compiled configuration. */
  private readonly index = new Map<string, Map<string, Map<number, ByBackend>>>();
  private readonly all: RouteSeries[] = [];
  private readonly slab = new NumberSlab();
  private readonly connectionsTotal: Counter<'gateway' | 'protocol'>;
  private readonly connectionsActive: Gauge<'gateway' | 'protocol'>;
  private readonly connectionChildren = new WeakMap<
    ConnectionInfo,
    { total: Counter.Internal; active: Gauge.Internal<'gateway' | 'protocol'> }
  >();

  constructor(registry: Registry) {
    this.registerExchangeMetrics(registry);
    const labelNames = ['gateway', 'protocol'] as const;
    this.connectionsTotal = new Counter({
      name: 'gatehouse_downstream_connections_total',
      help: 'Downstream (client) connections accepted.',
      labelNames,
      registers: [registry],
    });
    this.connectionsActive = new Gauge({
      name: 'gatehouse_downstream_connections_active',
      help: 'Downstream (client) connections open.',
      labelNames,
      registers: [registry],
    });
  }

  onExchange(record: ExchangeRecord): void {
    const series = this.seriesOf(record);
    const cells = series.cells;
    const base = series.base;
    const cell =
      base + AT.requests + methodClassIndex(record.method) * STATUS_COUNT + statusClassIndex(record.status);
    cells[cell] = (cells[cell] as number) + 1;
    observeInto(cells, base + AT.duration, LATENCY_BUCKETS, record.durationMs / 1000);
    if (record.upstreamMs >= 0)
      observeInto(cells, base + AT.upstream, LATENCY_BUCKETS, record.upstreamMs / 1000);
    series.add(AT.bytesIn, record.bytesIn);
    series.add(AT.bytesOut, record.bytesOut);
    if (record.errorKind !== '' && record.errorKind !== 'client_abort') {
      series.add(AT.errors + ERROR_KINDS.indexOf(record.errorKind), 1);
    }
    if (record.rejection !== '') series.add(AT.rejections + REJECTIONS.indexOf(record.rejection), 1);
  }

  onConnection(event: ConnectionEvent, connection: ConnectionInfo): void {
    let children = this.connectionChildren.get(connection);
    if (children === undefined) {
      const { gateway, protocol } = connection;
      children = {
        total: this.connectionsTotal.labels(gateway, protocol),
        active: this.connectionsActive.labels(gateway, protocol),
      };
      this.connectionChildren.set(connection, children);
    }
    if (event === 'open') {
      children.total.inc();
      children.active.inc();
    } else {
      children.active.dec();
    }
  }

  /** Series kept so far (one per label set seen); what bounded cardinality is about. */
  get seriesCount(): number {
    return this.all.length;
  }

  /**
   * A target always comes with the same gateway, route and rule (see ExchangeRecord.target), so
   * the series of its last backend is kept on the target itself: one property read per request,
   * where a WeakMap lookup missed the cache with thousands of routes. A rule splitting traffic
   * across backends finds the others through the index.
   */
  private seriesOf(record: ExchangeRecord): RouteSeries {
    const target = record.target as SeriesHolder | undefined;
    if (target === undefined)
      return this.seriesFor(record.gateway, record.route, record.rule, record.backend);
    let series = target[SERIES];
    if (series !== undefined && series.owner === this && series.backend === record.backend) return series;
    series = this.seriesFor(record.gateway, record.route, record.rule, record.backend);
    // Not enumerable: the configuration objects compare and print as before.
    Object.defineProperty(target, SERIES, { value: series, writable: true, configurable: true });
    return series;
  }

  private seriesFor(gateway: string, route: string, rule: number, backend: string): RouteSeries {
    let byRoute = this.index.get(gateway);
    if (byRoute === undefined) {
      byRoute = new Map();
      this.index.set(gateway, byRoute);
    }
    let byRule = byRoute.get(route);
    if (byRule === undefined) {
      byRule = new Map();
      byRoute.set(route, byRule);
    }
    let byBackend = byRule.get(rule);
    if (byBackend === undefined) {
      byBackend = new Map();
      byRule.set(rule, byBackend);
    }
    let series = byBackend.get(backend);
    if (series === undefined) {
      const labels = { gateway, route, rule: rule < 0 ? '' : String(rule), backend };
      const { cells, offset } = this.slab.allocate(AT.size);
      series = new RouteSeries(this, labels, cells, offset);
      byBackend.set(backend, series);
      this.all.push(series);
    }
    return series;
  }

  private registerExchangeMetrics(registry: Registry): void {
    const all = this.all;
    new ScrapedCounter(
      'gatehouse_requests_total',
      'Requests answered, by route, backend, method and status class.',
      () => requestCells(all),
    ).register(registry);
    new ScrapedHistogram(
      'gatehouse_request_duration_seconds',
      'Time from receiving a request to the end of its response.',
      () => histograms(all, AT.duration),
    ).register(registry);
    new ScrapedHistogram(
      'gatehouse_upstream_latency_seconds',
      'Time from sending a request upstream to receiving the response headers.',
      () => histograms(all, AT.upstream),
    ).register(registry);
    new ScrapedCounter(
      'gatehouse_request_body_bytes_total',
      'Request body bytes received and sent upstream.',
      () => all.map((s) => [s.labels, s.get(AT.bytesIn)] as const),
    ).register(registry);
    new ScrapedCounter('gatehouse_response_body_bytes_total', 'Response body bytes sent to clients.', () =>
      all.map((s) => [s.labels, s.get(AT.bytesOut)] as const),
    ).register(registry);
    new ScrapedCounter('gatehouse_upstream_errors_total', 'Failed upstream exchanges, by kind.', () =>
      nonZero(all, AT.errors, ERROR_KINDS, 'kind', (s) => s.labels),
    ).register(registry);
    new ScrapedCounter(
      'gatehouse_requests_rejected_total',
      'Requests the gateway answered itself: by the router (no_route, misdirected) or by policy (invalid_backend).',
      () => rejectionsByGateway(all),
    ).register(registry);
  }
}

function histograms(all: readonly RouteSeries[], at: number): (readonly [Labels, HistogramData])[] {
  const out: (readonly [Labels, HistogramData])[] = [];
  for (const series of all) {
    const histogram = series.histogram(at);
    if (histogram.count > 0) out.push([series.labels, histogram]);
  }
  return out;
}

function* requestCells(all: readonly RouteSeries[]): Iterable<readonly [Labels, number]> {
  for (const series of all) {
    for (let cell = 0; cell < REQUEST_CELLS; cell++) {
      const value = series.get(AT.requests + cell);
      if (value === 0) continue;
      const method = METHOD_CLASSES[Math.floor(cell / STATUS_COUNT)] as string;
      const statusClass = STATUS_CLASSES[cell % STATUS_COUNT] as string;
      yield [{ ...series.labels, method, status_class: statusClass }, value];
    }
  }
}

function* nonZero(
  all: readonly RouteSeries[],
  at: number,
  names: readonly string[],
  label: string,
  labels: (s: RouteSeries) => Labels,
): Iterable<readonly [Labels, number]> {
  for (const series of all) {
    for (let i = 0; i < names.length; i++) {
      const value = series.get(at + i);
      if (value > 0) yield [{ ...labels(series), [label]: names[i] as string }, value];
    }
  }
}

function rejectionsByGateway(all: readonly RouteSeries[]): [Labels, number][] {
  const sums = new Map<string, [Labels, number]>();
  for (const [labels, value] of nonZero(all, AT.rejections, REJECTIONS, 'reason', (s) => ({
    gateway: s.labels.gateway as string,
  }))) {
    const key = `${labels.gateway}|${labels.reason}`;
    const sum = sums.get(key);
    if (sum === undefined) sums.set(key, [labels, value]);
    else sum[1] += value;
  }
  return [...sums.values()];
}

/** Gauges read from the data plane's stats() at scrape time (one stats() call per scrape). */
export function registerDataPlaneStats(registry: Registry, stats: () => DataPlaneStats): void {
  let cached: { at: number; value: DataPlaneStats } | undefined;
  const current = (): DataPlaneStats => {
    const now = performance.now();
    if (cached === undefined || now - cached.at > 100) cached = { at: now, value: stats() };
    return cached.value;
  };
  new Gauge({
    name: 'gatehouse_requests_in_flight',
    help: 'Requests (and WebSocket tunnels) received and not yet answered completely.',
    registers: [registry],
    collect() {
      this.set(current().inFlight);
    },
  });
  new Gauge({
    name: 'gatehouse_draining',
    help: '1 while the data plane drains (after SIGTERM or POST /drain), else 0.',
    registers: [registry],
    collect() {
      this.set(current().draining ? 1 : 0);
    },
  });
  const pool = (name: string, help: string, pick: (u: UpstreamStats) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['backend'],
      registers: [registry],
      collect() {
        this.reset();
        for (const upstream of current().upstreams) this.set({ backend: upstream.cluster }, pick(upstream));
      },
    });
  pool(
    'gatehouse_upstream_connections',
    'Open upstream connections, per backend cluster.',
    (u) => u.connections,
  );
  pool(
    'gatehouse_upstream_connections_idle',
    'Open upstream connections without a request (HTTP/1.1 pools).',
    (u) => u.idle,
  );
  pool('gatehouse_upstream_requests_active', 'Requests being exchanged with upstreams.', (u) => u.active);
  pool('gatehouse_upstream_requests_queued', 'Requests waiting for an upstream connection.', (u) => u.queued);
}
