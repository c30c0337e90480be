import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ExchangeRecord } from '../dataplane/types.js';
import { AccessLog, accessLogLine } from './access-log.js';

function record(overrides: Partial<ExchangeRecord> = {}): ExchangeRecord {
  return {
    startTime: Date.UTC(2025, 0, 2, 3, 4, 5, 678),
    gateway: 'default/edge',
    listener: 'http',
    route: 'default/app',
    rule: 1,
    backend: 'default/app:80',
    method: 'POST',
    authority: 'app.example.com',
    path: '/orders?id=7',
    protocol: 'HTTP/1.1',
    status: 201,
    bytesIn: 120,
    bytesOut: 42,
    durationMs: 12.3456789,
    upstreamMs: 10.0004,
    upstreamAddress: '10.0.0.7:8080',
    requestId: 'abc-1',
    errorKind: '',
    rejection: '',
    ...overrides,
  };
}

describe('access log', () => {
  it('maps a record to the fields operators expect', () => {
    assert.deepEqual(accessLogLine(record()), {
      time: '2025-01-02T03:04:05.678Z',
      gateway: 'default/edge',
      listener: 'http',
      route: 'default/app',
      rule: 1,
      backend: 'default/app:80',
      method: 'POST',
      authority: 'app.example.com',
      path: '/orders?id=7',
      protocol: 'HTTP/1.1',
      status: 201,
      bytesIn: 120,
      bytesOut: 42,
      durationMs: 12.346,
      upstreamMs: 10,
      upstreamAddress: '10.0.0.7:8080',
      requestId: 'abc-1',
    });
  });

  it('leaves out what does not apply and names errors and rejections', () => {
    const line = accessLogLine(
      record({
        listener: '',
        route: '',
        rule: -1,
        backend: '',
        upstreamMs: -1,
        upstreamAddress: '',
        status: 404,
        rejection: 'no_route',
      }),
    );
    assert.deepEqual(Object.keys(line).sort(), [
      'authority',
      'bytesIn',
      'bytesOut',
      'durationMs',
      'gateway',
      'method',
      'path',
      'protocol',
      'rejection',
      'requestId',
      'status',
      'time',
    ]);
    assert.equal(accessLogLine(record({ status: 502, errorKind: 'connect' })).error, 'connect');
  });

  it('appends one JSON line per request to a file, flushed on close', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-access-'));
    try {
      const file = join(dir, 'access.log');
      const log = AccessLog.open(file, (err) => assert.fail(err));
      assert.ok(log !== undefined);
      for (let i = 0; i < 3; i++) log.onExchange(record({ requestId: `id-${i}` }));
      await log.close();
      const lines = (await readFile(file, 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.deepEqual(
        lines.map((l) => [l.component, l.requestId, l.status]),
        [
          ['access', 'id-0', 201],
          ['access', 'id-1', 201],
          ['access', 'id-2', 201],
        ],
      );
      assert.equal('level' in lines[0], false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('is absent when off', () => {
    assert.equal(
      AccessLog.open('off', () => {}),
      undefined,
    );
  });
});
