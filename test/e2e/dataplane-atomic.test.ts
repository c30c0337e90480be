// Atomic applies under load: 20 keep-alive clients send requests continuously while the IR is
// applied 120 times, alternating between two configurations that differ in routes, filters,
// clusters and endpoints. No request may fail, and every response must be consistent with one
// configuration: backend, request header and response header all from the same one.

import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { after, before, describe, it } from 'node:test';
import type { IR } from '../../src/ir/types.js';
import { type EchoBackend, startEchoBackend } from '../fixtures/backend.js';
import { startDataPlane, type TestDataPlane } from '../fixtures/dataplane.js';
import { buildIr, cluster, forwardTo, gateway, httpPort, listener, route } from '../fixtures/ir.js';
import { freePort, keepAliveClient, send } from '../fixtures/net.js';

const APPLIES = 120;
const CLIENTS = 20;

describe('data plane atomic apply', () => {
  let a: EchoBackend;
  let b: EchoBackend;
  let plane: TestDataPlane;
  let port: number;

  /** Configuration `name` routes everything to backend `name` and tags both directions with it. */
  const config = (name: 'a' | 'b'): IR => {
    const tag = { set: [{ name: 'x-config', value: name }], add: [], remove: [] };
    const filters = { requestHeaders: tag, responseHeaders: tag };
    const routes =
      name === 'a'
        ? [route(forwardTo('cluster-a'), { prefix: '/', filters })]
        : [
            route(forwardTo('cluster-b'), { exact: '/load', filters }),
            route(forwardTo('cluster-b'), { regex: '/.*', filters }),
          ];
    const backend = name === 'a' ? a : b;
    return buildIr(
      [gateway('gw', [httpPort(port, [listener(`listener-${name}`, null, routes)])])],
      [cluster(`cluster-${name}`, [backend.endpoint])],
    );
  };

  before(async () => {
    a = await startEchoBackend('a');
    b = await startEchoBackend('b');
    port = await freePort();
    plane = startDataPlane();
    await plane.applyOk(config('a'));
  });

  after(async () => {
    await plane.close();
    await a.close();
    await b.close();
  });

  it('keeps every request succeeding and consistent while the IR is applied 120 times', async () => {
    const client = keepAliveClient(port, CLIENTS);
    const failures: string[] = [];
    const progress = new EventEmitter();
    /** Resolves after `count` more responses, so every configuration serves traffic. */
    const responses = (count: number) =>
      new Promise<void>((resolve) => {
        let left = count;
        const onResponse = () => {
          if (--left > 0) return;
          progress.off('response', onResponse);
          resolve();
        };
        progress.on('response', onResponse);
      });
    const served = { a: 0, b: 0 };
    let applying = true;
    const worker = async () => {
      while (applying) {
        try {
          const reply = await client.get('/load');
          const echo = reply.status === 200 ? reply.json() : undefined;
          const name = echo?.backend;
          if (
            (name !== 'a' && name !== 'b') ||
            echo?.headers['x-config'] !== name ||
            reply.headers['x-config'] !== name
          ) {
            failures.push(`status ${reply.status}: ${reply.text().slice(0, 200)}`);
          } else {
            served[name]++;
          }
          progress.emit('response');
        } catch (err) {
          failures.push(String(err));
          progress.emit('response');
        }
      }
    };
    const workers = Array.from({ length: CLIENTS }, worker);
    for (let i = 1; i <= APPLIES; i++) {
      const name = i % 2 === 0 ? 'a' : 'b';
      await plane.applyOk(config(name));
      await responses(CLIENTS);
      // Once apply resolves, new requests use the new configuration.
      if (i % 10 === 0) assert.equal((await send(port, { path: '/load' })).json().backend, name);
    }
    applying = false;
    await Promise.all(workers);
    await client.close();
    assert.deepEqual(failures.slice(0, 5), []);
    assert.ok(served.a > APPLIES * 5 && served.b > APPLIES * 5, `served ${JSON.stringify(served)}`);
  });
});
