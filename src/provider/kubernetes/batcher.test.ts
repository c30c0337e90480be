import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ChangeBatch, ChangeBatcher } from './batcher.js';

function collector(options: { holdOffMs: number; maxDelayMs: number; work?: () => Promise<void> }) {
  const batches: ChangeBatch[] = [];
  let notify: (() => void) | undefined;
  const batcher = new ChangeBatcher({
    ...options,
    emit: async (batch) => {
      batches.push(batch);
      notify?.();
      await options.work?.();
    },
    onError: (err) => assert.fail(String(err)),
  });
  const next = (count: number) =>
    new Promise<void>((resolve) => {
      notify = () => batches.length >= count && resolve();
      notify();
    });
  return { batcher, batches, next };
}

test('a burst within the hold-off becomes one batch naming every changed kind', async () => {
  const { batcher, batches, next } = collector({ holdOffMs: 30, maxDelayMs: 1000 });
  for (let i = 0; i < 50; i++) batcher.notify(i % 2 ? 'Service' : 'HTTPRoute');
  await next(1);
  assert.equal(batches.length, 1);
  assert.deepEqual(batches[0]?.changedKinds, ['HTTPRoute', 'Service']);
  assert.equal(batches[0]?.reason, 'change');
  batcher.stop();
});

test('a continuous stream of changes is cut at the ceiling', async () => {
  const { batcher, batches, next } = collector({ holdOffMs: 40, maxDelayMs: 100 });
  const started = Date.now();
  const timer = setInterval(() => batcher.notify('Gateway'), 10);
  await next(1);
  const waited = Date.now() - started;
  clearInterval(timer);
  batcher.stop();
  assert.ok(waited >= 95 && waited < 400, `first batch after ${waited} ms`);
  assert.ok(batches[0]!.firstChangeAt >= started);
});

test('changes during a slow consumer form one follow-up batch, never an overlapping one', async () => {
  let release: () => void = () => {};
  let running = 0;
  let maxRunning = 0;
  const { batcher, batches, next } = collector({
    holdOffMs: 5,
    maxDelayMs: 50,
    work: async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      running--;
    },
  });
  batcher.emitInitial(['Gateway', 'Service']);
  await next(1);
  assert.equal(batches[0]?.reason, 'initial');
  for (let i = 0; i < 10; i++) batcher.notify('Secret');
  release();
  await next(2);
  release();
  assert.equal(maxRunning, 1);
  assert.deepEqual(batches[1]?.changedKinds, ['Secret']);
  batcher.stop();
});
