import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApplyReport, DataPlane, DataPlaneStats } from '../dataplane/types.js';
import type { IR } from '../ir/types.js';
import { silentLogger } from '../observability/logger.js';
import { emptySnapshot, type ResourceSnapshot } from '../resources/kinds.js';
import { Pipeline } from './pipeline.js';

/** A data plane whose port stays unbound while `busy` is true; records each apply. */
class FakeDataPlane implements DataPlane {
  busy = true;
  readonly applies: { generation: number; at: number; port: number | undefined }[] = [];
  private waiters: (() => void)[] = [];

  async apply(ir: IR, generation: number): Promise<ApplyReport> {
    this.applies.push({ generation, at: performance.now(), port: ir.gateways[0]?.ports[0]?.port });
    for (const wake of this.waiters.splice(0)) wake();
    const portErrors = this.busy ? [{ port: 8080, message: 'EADDRINUSE: cannot bind 0.0.0.0:8080' }] : [];
    return { generation, gateways: { 'default/gw': { addresses: ['0.0.0.0'], portErrors } } };
  }

  async drain(): Promise<void> {}

  stats(): DataPlaneStats {
    return { draining: false, connections: 0, inFlight: 0, upstreams: [] };
  }

  async close(): Promise<void> {}

  /** Resolves once `count` applies have happened in total. */
  async applied(count: number): Promise<void> {
    // The retry timer is unref'd (a server's sockets keep a real process alive); hold the loop.
    const keepAlive = setInterval(() => {}, 1000);
    while (this.applies.length < count) await new Promise<void>((resolve) => this.waiters.push(resolve));
    clearInterval(keepAlive);
  }
}

const META = { generation: 1, creationTimestamp: '2025-01-01T00:00:00Z', uid: 'u', resourceVersion: '1' };

/** A GatewayClass and a Gateway with one HTTP listener on `port`. */
function snapshotWithPort(port: number): ResourceSnapshot {
  const snapshot = emptySnapshot();
  snapshot.gatewayClasses.push({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GatewayClass',
    metadata: { name: 'gatehouse', ...META },
    spec: { controllerName: 'gatehouse.dev/gateway-controller' },
  });
  snapshot.gateways.push({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'gw', namespace: 'default', ...META },
    spec: { gatewayClassName: 'gatehouse', listeners: [{ name: 'http', port, protocol: 'HTTP' }] },
  });
  return snapshot;
}

function pipelineWith(dataPlane: FakeDataPlane): Pipeline {
  return new Pipeline({
    translate: { controllerName: 'gatehouse.dev/gateway-controller' },
    logger: silentLogger(),
    dataPlane,
    bindRetry: { initialMs: 20, maxMs: 40 },
  });
}

describe('Pipeline: ports that could not be bound', () => {
  it('applies the latest snapshot again, with growing delays, until every port binds', async () => {
    const plane = new FakeDataPlane();
    const pipeline = pipelineWith(plane);
    await pipeline.submit(snapshotWithPort(8080));
    await plane.applied(3);
    const [a, b, c] = plane.applies;
    assert.ok(b!.at - a!.at >= 15, `first retry after ${b!.at - a!.at} ms`);
    assert.ok(c!.at - b!.at >= 30, `second retry after ${c!.at - b!.at} ms (doubled)`);

    plane.busy = false;
    await plane.applied(4);
    const settled = plane.applies.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(plane.applies.length, settled, 'no retry once every port is bound');
    pipeline.close();
  });

  it('never goes back to an older snapshot, and stops retrying on close', async () => {
    const plane = new FakeDataPlane();
    const pipeline = pipelineWith(plane);
    await pipeline.submit(snapshotWithPort(8080));
    await pipeline.submit(snapshotWithPort(9090));
    await plane.applied(4);
    assert.deepEqual(
      plane.applies.map((a) => a.port),
      [8080, 9090, 9090, 9090],
    );
    pipeline.close();
    const closedAt = plane.applies.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(plane.applies.length, closedAt, 'no retry after close');
  });
});
