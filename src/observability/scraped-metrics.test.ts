import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { HistogramData, ScrapedCounter, ScrapedHistogram } from './scraped-metrics.js';

describe('scraped metrics', () => {
  it('render counters from plain numbers read at scrape time', async () => {
    const registry = new Registry();
    const counts = { a: 0 };
    new ScrapedCounter('t_requests_total', 'Requests.', () => [[{ route: 'a' }, counts.a]]).register(
      registry,
    );
    counts.a = 7;
    assert.equal(
      await registry.metrics(),
      '# HELP t_requests_total Requests.\n# TYPE t_requests_total counter\nt_requests_total{route="a"} 7\n',
    );
  });

  it('render histograms with cumulative buckets, +Inf, sum and count', async () => {
    const registry = new Registry();
    const data = new HistogramData([0.1, 1]);
    for (const value of [0.05, 0.1, 0.5, 3]) data.observe(value);
    new ScrapedHistogram('t_seconds', 'Latency.', () => [[{ route: 'a' }, data]]).register(registry);
    assert.equal(
      await registry.metrics(),
      [
        '# HELP t_seconds Latency.',
        '# TYPE t_seconds histogram',
        't_seconds_bucket{route="a",le="0.1"} 2',
        't_seconds_bucket{route="a",le="1"} 3',
        't_seconds_bucket{route="a",le="+Inf"} 4',
        't_seconds_sum{route="a"} 3.65',
        't_seconds_count{route="a"} 4',
        '',
      ].join('\n'),
    );
  });

  it('escape label values and survive a registry reset', async () => {
    const registry = new Registry();
    new ScrapedCounter('t_total', 'T.', () => [[{ path: 'a"b\\c\nd' }, 1]]).register(registry);
    registry.resetMetrics();
    assert.match(await registry.metrics(), /^t_total\{path="a\\"b\\\\c\\nd"\} 1$/m);
  });
});
