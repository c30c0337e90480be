import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DataPlane } from '../dataplane/types.js';
import { silentLogger } from '../observability/logger.js';
import { emptySnapshot } from '../resources/kinds.js';
import { type AppliedEvent, Pipeline } from './pipeline.js';

describe('pipeline observer', () => {
  it('reports each run, with change-to-serve measured from the earliest change it carries', async () => {
    const events: AppliedEvent[] = [];
    let release!: () => void;
    const firstApplyHeld = new Promise<void>((resolve) => {
      release = resolve;
    });
    let applies = 0;
    const dataPlane: DataPlane = {
      apply: async (_ir, generation) => {
        if (++applies === 1) await firstApplyHeld;
        return { generation, gateways: {} };
      },
      drain: async () => {},
      stats: () => ({ draining: false, connections: 0, inFlight: 0, upstreams: [] }),
      close: async () => {},
    };
    const pipeline = new Pipeline({
      translate: { controllerName: 'gatehouse.dev/gateway-controller' },
      logger: silentLogger(),
      dataPlane,
      observer: { onApplied: (e) => events.push(e), onFailed: () => assert.fail('no failure expected') },
    });
    const first = pipeline.submit(emptySnapshot());
    // Two changes while the first run is held: coalesced into one run, timed from the older one.
    const now = Date.now();
    void pipeline.submit(emptySnapshot(), now - 3000);
    const last = pipeline.submit(emptySnapshot(), now - 1000);
    release();
    await first;
    await last;
    assert.deepEqual(
      events.map((e) => e.generation),
      [1, 2],
    );
    assert.equal(events[0]?.changeToServeSeconds, undefined);
    const changeToServe = events[1]?.changeToServeSeconds ?? 0;
    assert.ok(changeToServe >= 3 && changeToServe < 4, `${changeToServe}`);
    assert.ok(events.every((e) => e.translateSeconds >= 0 && e.applySeconds >= 0));
  });
});
