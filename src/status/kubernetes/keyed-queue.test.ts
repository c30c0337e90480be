import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyedQueue } from './keyed-queue.js';

function gate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

test('one task per key at a time; a newer task for a waiting key replaces the older one', async () => {
  const queue = new KeyedQueue(4);
  const ran: string[] = [];
  const first = gate();
  const a1 = queue.push('a', async () => {
    ran.push('a1');
    await first.opened;
  });
  const a2 = queue.push('a', async () => {
    ran.push('a2');
  });
  const a3 = queue.push('a', async () => {
    ran.push('a3');
  });
  assert.deepEqual(ran, ['a1'], 'a2/a3 wait for a1');
  first.open();
  await Promise.all([a1, a2, a3]);
  assert.deepEqual(ran, ['a1', 'a3'], 'a2 was superseded by a3; its promise still resolved');
});

test('no more than `concurrency` tasks run at once', async () => {
  const queue = new KeyedQueue(2);
  let running = 0;
  let peak = 0;
  const release = gate();
  const done = Array.from({ length: 6 }, (_, i) =>
    queue.push(`k${i}`, async () => {
      running++;
      peak = Math.max(peak, running);
      await release.opened;
      running--;
    }),
  );
  assert.equal(running, 2);
  release.open();
  await Promise.all(done);
  await queue.idle();
  assert.equal(peak, 2);
});

test('clear drops waiting tasks and resolves their callers', async () => {
  const queue = new KeyedQueue(1);
  const block = gate();
  const ran: string[] = [];
  const first = queue.push('x', async () => {
    ran.push('x');
    await block.opened;
  });
  const dropped = queue.push('y', async () => {
    ran.push('y');
  });
  queue.clear();
  await dropped;
  block.open();
  await first;
  assert.deepEqual(ran, ['x']);
});
