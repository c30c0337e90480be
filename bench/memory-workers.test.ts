import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { splitSample, workerRows, workerRowsNote } from './memory-workers.js';
import { largestByRss, primaryAndWorkers } from './proc-stat.js';
import type { RunningProxy } from './proxies.js';
import type { Target } from './rounds.js';

const MIB = 1024 * 1024;

test('the largest process by RSS, or none of an empty list', () => {
  const small = { pid: 1, rss: 10, pss: 9 };
  const big = { pid: 2, rss: 30, pss: 5 };
  assert.deepEqual(largestByRss([small, big, { pid: 3, rss: 20, pss: 20 }]), big);
  assert.equal(largestByRss([]), undefined);
});

test('a --workers sample holds the primary and the largest worker (its own RSS and PSS), in MiB', () => {
  const sample = splitSample({ pid: 1, rss: 200 * MIB, pss: 190 * MIB }, [
    { pid: 2, rss: 120 * MIB, pss: 100 * MIB },
    { pid: 3, rss: 140 * MIB, pss: 90 * MIB },
  ]);
  assert.deepEqual(sample, {
    primaryRssMiB: 200,
    primaryPssMiB: 190,
    workerRssMiB: 140,
    workerPssMiB: 90,
    workers: 2,
  });
  assert.equal(splitSample({ pid: 1, rss: MIB, pss: MIB }, []).workerRssMiB, undefined);
});

test('each --workers target gives a worker row and a primary row with RSS and PSS over rounds', () => {
  const target: Target = {
    name: 'gatehouse, --workers 2 (10000 routes)',
    kind: 'gatehouse',
    variant: '10000 routes',
    proxy: {} as RunningProxy,
  };
  const rounds = [
    { primaryRssMiB: 260, primaryPssMiB: 250, workerRssMiB: 140, workerPssMiB: 130, workers: 2 },
    { primaryRssMiB: 270, primaryPssMiB: 255, workerRssMiB: 138, workerPssMiB: 128, workers: 2 },
  ];
  const rows = workerRows([target], new Map([[target.name, rounds]]));
  assert.deepEqual(
    rows.map((r) => [r.target, r.variant, Object.keys(r.figures)]),
    [
      ['gatehouse worker, --workers 2 (10000 routes)', '10000 routes', ['rssMiB', 'pssMiB']],
      ['gatehouse primary, --workers 2 (10000 routes)', '10000 routes', ['rssMiB', 'pssMiB']],
    ],
  );
  assert.deepEqual(rows[0]!.figures.rssMiB, { median: 139, min: 138, max: 140, samples: [140, 138] });
  assert.equal(rows[1]!.figures.pssMiB?.median, 252.5);
  assert.deepEqual(workerRows([target], new Map())[0]!.figures, {});
});

test('the note names both rows and says what the plain rows run', () => {
  assert.match(
    workerRowsNote(1),
    /"gatehouse worker, --workers 2".*--workers 1 \(one process holding both planes\)/,
  );
  assert.match(workerRowsNote(2), /--workers 2 \(a primary and 2 data-plane workers, summed\)/);
});

test('memory of a real process tree: the root alone, and each descendant apart', async () => {
  const child = spawn('sh', ['-c', 'sleep 30 & sleep 30 & echo started; wait'], {
    detached: true,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  try {
    await once(child.stdout!, 'data');
    const { primary, workers } = primaryAndWorkers(child.pid!);
    assert.equal(primary.pid, child.pid);
    assert.ok(primary.rss > 0);
    assert.equal(workers.length, 2);
    for (const worker of workers) assert.ok(worker.rss > 0 && worker.pss > 0);
  } finally {
    process.kill(-child.pid!, 'SIGKILL');
    await once(child, 'exit');
  }
});
