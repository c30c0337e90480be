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

/**
 * Observations of one label set: the count and the sum, then per-bucket counts (not cumulative),
 * kept in `cells` from `offset` on; an observation of a short time touches only the first few.
 * Many histograms can share one array (see NumberSlab), which costs far less memory than an array
 * each when there are thousands of label sets.
 */
export class HistogramData {
  readonly cells: Float64Array;
  readonly offset: number;

  constructor(
    readonly bounds: readonly number[],
    cells?: Float64Array,
    offset = 0,
  ) {
    this.cells = cells ?? new Float64Array(HistogramData.size(bounds));
    this.offset = offset;
  }

  /** Numbers one histogram takes: a count per bucket and +Inf, the sum and the count. */
  static size(bounds: readonly number[]): number {
    return bounds.length + 3;
  }

  /** Observations ≤ bounds[i] and > bounds[i-1]; i = bounds.length is the +Inf bucket. */
  bucket(i: number): number {
    return this.cells[this.offset + 2 + i] as number;
  }

  get sum(): number {
    return this.cells[this.offset + 1] as number;
  }

  get count(): number {
    return this.cells[this.offset] as number;
  }

  observe(value: number): void {
    observeInto(this.cells, this.offset, this.bounds, value);
  }
}

/** Adds `value` to the histogram laid out at `cells[offset]` (see HistogramData). */
export function observeInto(
  cells: Float64Array,
  offset: number,
  bounds: readonly number[],
  value: number,
): void {
  const n = bounds.length;
  let i = 0;
  while (i < n && value > (bounds[i] as number)) i++;
  cells[offset] = (cells[offset] as number) + 1;
  cells[offset + 1] = (cells[offset + 1] as number) + value;
  cells[offset + 2 + i] = (cells[offset + 2 + i] as number) + 1;
}

/**
 * Hands out runs of numbers from shared Float64Arrays, so thousands of small series cost one
 * typed array per block instead of several each (an ArrayBuffer and its backing store are a few
 * hundred bytes before the first number).
 */
export class NumberSlab {
  private block: Float64Array | undefined;
  private used = 0;

  constructor(private readonly blockSize = 16_384) {}

  /** `size` zeroed numbers: the array they are in and where they start. */
  allocate(size: number): { cells: Float64Array; offset: number } {
    let block = this.block;
    if (block === undefined || this.used + size > block.length) {
      block = new Float64Array(Math.max(this.blockSize, size));
      this.block = block;
      this.used = 0;
    }
    const offset = this.used;
    this.used += size;
    return { cells: block, offset };
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
        cumulative += data.bucket(i);
        out.push({ value: cumulative, labels: { ...labels, le }, metricName: bucket });
      });
      out.push({ value: data.count, labels: { ...labels, le: '+Inf' }, metricName: bucket });
      out.push({ value: data.sum, labels: { ...labels }, metricName: `${this.name}_sum` });
      out.push({ value: data.count, labels: { ...labels }, metricName: `${this.name}_count` });
    }
    return out;
  }
}
