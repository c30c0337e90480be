import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planCpus } from './machine.js';
import { parseOptions, parseScenarios } from './options.js';
import { gatehouseRatios, interleave, type ScenarioRow, type Target } from './rounds.js';
import { addRatioToOneRoute } from './scenarios-routes.js';
import { median, percentile, ratio, spread, spreadsOf } from './stats.js';

test('median of odd and even samples, unsorted input left untouched', () => {
  const input = [5, 1, 3];
  assert.equal(median(input), 3);
  assert.deepEqual(input, [5, 1, 3]);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
});

test('spread drops missing figures (NaN) but keeps a never-completed Infinity', () => {
  assert.deepEqual(spread([3, Number.NaN, 1, 2]), { median: 2, min: 1, max: 3, samples: [3, 1, 2] });
  assert.equal(spread([Number.NaN]), undefined);
  const inf = Number.POSITIVE_INFINITY;
  assert.deepEqual(spread([inf, 2, inf]), { median: inf, min: 2, max: inf, samples: [inf, 2, inf] });
});

test('percentile is nearest-rank, and a failure (Infinity) in the tail shows', () => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(values, 50), 50);
  assert.equal(percentile(values, 99), 99);
  assert.equal(percentile(values, 100), 100);
  assert.equal(percentile([1, 2, Number.POSITIVE_INFINITY], 99), Number.POSITIVE_INFINITY);
  assert.equal(percentile([7], 1), 7);
});

test('ratio is ours over theirs, undefined without both sides or with a zero divisor', () => {
  assert.equal(ratio(30, 60), 0.5);
  assert.equal(ratio(undefined, 60), undefined);
  assert.equal(ratio(1, 0), undefined);
  assert.equal(ratio(Number.POSITIVE_INFINITY, 2), undefined);
});

test('spreadsOf folds rounds per metric and skips metrics a round lacks', () => {
  const out = spreadsOf([{ rps: 10, cpu: undefined }, { rps: 30, cpu: 2 }, { rps: 20 }]);
  assert.equal(out.rps?.median, 20);
  assert.deepEqual(out.cpu?.samples, [2]);
});

function row(target: string, kind: ScenarioRow['kind'], variant: string, rps: number[]): ScenarioRow {
  return { target, kind, variant, figures: { rps: spread(rps)! } };
}

test('Gatehouse is compared with each other proxy of the same routing table only', () => {
  const rows = [
    row('gatehouse (1 route)', 'gatehouse', '1 route', [20]),
    row('haproxy (1 route)', 'haproxy', '1 route', [40]),
    row('gatehouse (10 routes)', 'gatehouse', '10 routes', [10]),
    row('haproxy (10 routes)', 'haproxy', '10 routes', [40]),
  ];
  assert.deepEqual(gatehouseRatios(rows), {
    'haproxy (1 route)': { rps: 0.5 },
    'haproxy (10 routes)': { rps: 0.25 },
  });
  assert.deepEqual(gatehouseRatios(rows.filter((r) => r.kind !== 'gatehouse')), {});
});

test('rps relative to one route is taken round by round', () => {
  const rows = [
    row('nginx (1 route)', 'nginx', '1 route', [100, 50]),
    row('nginx (9)', 'nginx', '9 routes', [80, 45]),
  ];
  const samples = new Map([
    ['nginx (1 route)', [{ rps: 100 }, { rps: 50 }]],
    ['nginx (9)', [{ rps: 80 }, { rps: 45 }]],
  ]);
  const targets = rows.map((r) => ({
    name: r.target,
    kind: r.kind,
    variant: r.variant,
    proxy: undefined as never,
  }));
  addRatioToOneRoute(rows, samples, targets);
  assert.deepEqual(rows[1]!.figures.rpsVsOneRoute?.samples, [0.8, 0.9]);
  assert.equal(rows[0]!.figures.rpsVsOneRoute, undefined);
});

test('CPU plan: proxies on the first half, load on the rest', () => {
  assert.deepEqual(planCpus(2), { proxy: [0], load: [1] });
  assert.deepEqual(planCpus(8), { proxy: [0, 1, 2, 3], load: [4, 5, 6, 7] });
  assert.deepEqual(planCpus(3), { proxy: [0], load: [1, 2] });
  assert.match(planCpus(1).warning ?? '', /one CPU/);
});

test('options: --quick shortens runs, explicit flags win, scenarios by number or name', () => {
  const quick = parseOptions(['--quick', '--rounds', '3']);
  assert.equal(quick.rounds, 3);
  assert.equal(quick.duration, 3);
  assert.equal(quick.changes, 20);
  const full = parseOptions([]);
  assert.equal(full.rounds, 5);
  assert.equal(full.duration, 10);
  assert.equal(full.changes, 1000);
  assert.equal(full.scenarios.length, 6);
  assert.deepEqual(parseScenarios('6,keepalive,3'), ['keepalive', 'routes', 'memory']);
  assert.throws(() => parseScenarios('7'), /unknown scenario/);
  assert.deepEqual(parseOptions(['--proxies', 'nginx,gatehouse']).proxies, ['gatehouse', 'nginx']);
});

test('rounds interleave targets in order; a failed measurement is noted and the rest go on', async () => {
  const targets = ['a', 'b'].map((name) => ({
    name,
    kind: 'nginx',
    variant: '1 route',
    proxy: undefined as never,
  }));
  const order: string[] = [];
  const notes: string[] = [];
  const samples = await interleave(
    targets as Target[],
    3,
    async (t, round) => {
      order.push(`${t.name}${round}`);
      if (t.name === 'b' && round === 2) throw new Error('connection refused');
      return { rps: round };
    },
    () => {},
    notes,
  );
  assert.deepEqual(order, ['a1', 'b1', 'a2', 'b2', 'a3', 'b3']);
  assert.deepEqual(samples.get('b'), [{ rps: 1 }, { rps: 3 }]);
  assert.deepEqual(notes, ['b: round 2 failed: connection refused']);
});
