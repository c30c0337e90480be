// Metrics kept as plain numbers and read by prom-client at scrape time. prom-client's own label
// children hash and validate their label values on every inc()/observe() (≈0.5 µs each on Node
// 20, five calls per request), which is too much for the request path; the data plane instead
// adds to numbers on objects it caches per label set (≈20 ns) and these metrics hand prom-client
// the values when /metrics is read. prom-client still renders the exposition format: a scraped
// metric is registered in a prom-client Registry like any other and answers the same `get()`.

import type { Metric, Registry } from 'prom-client';

export type Labels = Readonly<Record<string, string>>;

interface MetricValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

/** The part of prom-client's metric interface a Registry uses. */
abstract class ScrapedMetric {
  readonly aggregator = 'sum';

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'histogram',
  ) {}

  async get(): Promise<{
    name: string;
    help: string;
    type: string;
    aggregator: string;
    values: MetricValue[];
  }> {
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values: this.values(),
    };
  }

  /** Values are owned by the code that adds to them; a registry reset does not clear them. */
  reset(): void {}

  register(registry: Registry): this {
    registry.registerMetric(this as unknown as Metric);
    return this;
  }

  protected abstract values(): MetricValue[];
}

/** A counter whose values are read from `read()` at scrape time (one entry per label set). */
export class ScrapedCounter extends ScrapedMetric {
  constructor(
    name: string,
    help: string,
    private readonly read: () => Iterable<readonly [Labels, number]>,
  ) {
    super(name, help, 'counter');
  }

  protected values(): MetricValue[] {
    const out: MetricValue[] = [];
    for (const [labels, value] of this.read()) out.push({ value, labels: { ...labels } });
    return out;
  }
}

/** Observations of one label set: per-bucket counts (not cumulative), sum and count. */
export class HistogramData {
  /** counts[i] counts observations ≤ bounds[i] and > bounds[i-1]; the last slot is +Inf. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    this.counts[i] = (this.counts[i] as number) + 1;
    this.sum += value;
    this.count++;
  }
}

/** A histogram whose observations are read from `read()` at scrape time. */
export class ScrapedHistogram extends ScrapedMetric {
  constructor(
    name: string,
    help: string,
    private readonly read: () => Iterable<readonly [Labels, HistogramData]>,
  ) {
    super(name, help, 'histogram');
  }

  protected values(): MetricValue[] {
    const out: MetricValue[] = [];
    const bucket = `${this.name}_bucket`;
    for (const [labels, data] of this.read()) {
      let cumulative = 0;
      data.bounds.forEach((le, i) => {
        cumulative += data.counts[i] as number;
        out.push({ value: cumulative, labels: { ...labels, le }, metricName: bucket });
      });
      out.push({ value: data.count, labels: { ...labels, le: '+Inf' }, metricName: bucket });
      out.push({ value: data.sum, labels: { ...labels }, metricName: `${this.name}_sum` });
      out.push({ value: data.count, labels: { ...labels }, metricName: `${this.name}_count` });
    }
    return out;
  }
}
