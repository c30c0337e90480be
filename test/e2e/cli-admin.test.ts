// The admin API and operating flags of the real CLI: health, readiness, status, config and
// Prometheus metrics after known traffic (process metrics included), change-to-serve after a
// file edit, unknown paths 404 and wrong methods 405, POST /drain ending the process with 0, the
// access log written to a file, and refused startup for a non-loopback admin address without
// --admin-allow-remote, an unwritable access log and a malformed duration.

import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { type EchoBackend, startEchoBackend } from '../fixtures/backend.js';
import { freePort, send } from '../fixtures/net.js';
import { parseMetrics, sampleValue } from './metrics-text.js';
import { admin, adminPortOf, type GatehouseProcess, startGatehouse, writeManifest } from './ops-cli.js';

const APP = { gateway: 'default/edge', route: 'default/app', rule: '0', backend: 'default/app:80' };

describe('gatehouse serve: admin API', () => {
  let backend: EchoBackend;
  let manifest: { file: string; dispose(): Promise<void> };
  let gatehouse: GatehouseProcess;
  let port: number;
  let adminPort: number;
  let accessLogFile: string;

  before(async () => {
    backend = await startEchoBackend('app');
    port = await freePort();
    manifest = await writeManifest(port, backend.port);
    accessLogFile = `${manifest.file}.access.log`;
    gatehouse = startGatehouse([
      'serve',
      ...['-f', manifest.file, '--bind', '127.0.0.1', '--admin-address', '127.0.0.1:0'],
      ...['--drain-delay', '100ms', '--access-log', accessLogFile],
    ]);
    adminPort = await adminPortOf(gatehouse);
    await gatehouse.waitFor((l) => l.msg === 'configuration applied');
    for (let i = 0; i < 3; i++) assert.equal((await send(port, { path: `/app/${i}` })).status, 200);
  });

  after(async () => {
    await gatehouse.stop();
    await backend.close();
    await manifest.dispose();
  });

  it('answers health, readiness, status and the configuration in force', async () => {
    assert.deepEqual(await admin(adminPort, '/healthz'), { status: 200, body: 'ok\n' });
    assert.deepEqual(await admin(adminPort, '/readyz'), { status: 200, body: 'ready\n' });
    const status = JSON.parse((await admin(adminPort, '/status')).body) as { statuses: { kind: string }[] };
    assert.ok(status.statuses.some((s) => s.kind === 'HTTPRoute'));
    const config = JSON.parse((await admin(adminPort, '/config')).body) as {
      generation: number;
      ir: { gateways: { key: string }[] };
    };
    assert.equal(config.generation, 1);
    assert.deepEqual(
      config.ir.gateways.map((g) => g.key),
      ['default/edge'],
    );
  });

  it('logs JSON lines that all name their component, and their resource where one applies', () => {
    assert.ok(gatehouse.lines.length > 0);
    for (const line of gatehouse.lines) assert.equal(typeof line.component, 'string', JSON.stringify(line));
    const listening = gatehouse.lines.find((l) => l.msg === 'listening');
    assert.deepEqual(
      [listening?.component, listening?.kind, listening?.resource],
      ['dataplane', 'Gateway', 'default/edge'],
    );
    const demo = gatehouse.lines.find((l) => l.component === 'provider.file' && l.msg !== undefined);
    assert.ok(demo !== undefined);
  });

  it('answers 404 for unknown paths and 405 for known paths with another method', async () => {
    for (const path of ['/', '/nope', '/metrics/extra', '/healthz/', '/READYZ', '/config.json']) {
      assert.deepEqual(await admin(adminPort, path), { status: 404, body: 'not found\n' }, path);
    }
    assert.equal((await admin(adminPort, '/drain')).status, 405);
    assert.equal((await admin(adminPort, '/metrics', 'POST')).status, 405);
  });

  it('serves Prometheus metrics with the traffic, the configuration and the process', async () => {
    const reply = await admin(adminPort, '/metrics');
    assert.equal(reply.status, 200);
    const samples = parseMetrics(reply.body);
    const requests = { ...APP, method: 'GET', status_class: '2xx' };
    assert.equal(sampleValue(samples, 'gatehouse_requests_total', requests), 3);
    assert.equal(sampleValue(samples, 'gatehouse_request_duration_seconds_count', APP), 3);
    assert.equal(sampleValue(samples, 'gatehouse_upstream_latency_seconds_count', APP), 3);
    assert.equal(sampleValue(samples, 'gatehouse_config_generation'), 1);
    assert.equal(sampleValue(samples, 'gatehouse_resources', { kind: 'HTTPRoute' }), 1);
    assert.equal(sampleValue(samples, 'gatehouse_draining'), 0);
    assert.equal(
      sampleValue(samples, 'gatehouse_downstream_connections_total', {
        gateway: 'default/edge',
        protocol: 'HTTP',
      }),
      3,
    );
    for (const name of [
      'process_cpu_seconds_total',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
    ]) {
      assert.ok(sampleValue(samples, name) !== undefined, name);
    }
  });

  it('measures the time from a file change to the data plane serving it', async () => {
    const text = await readFile(manifest.file, 'utf8');
    await writeFile(manifest.file, text.replace('value: /app', 'value: /app2'));
    await gatehouse.waitFor((l) => l.msg === 'configuration applied' && l.generation === 2);
    assert.equal((await send(port, { path: '/app2/x' })).status, 200);
    const samples = parseMetrics((await admin(adminPort, '/metrics')).body);
    assert.equal(sampleValue(samples, 'gatehouse_config_generation'), 2);
    assert.equal(sampleValue(samples, 'gatehouse_config_change_to_serve_seconds_count'), 1);
  });

  it('drains on POST /drain and exits 0, with every request in the access log file', async () => {
    assert.deepEqual(await admin(adminPort, '/drain', 'POST'), { status: 202, body: 'draining\n' });
    assert.deepEqual(await admin(adminPort, '/readyz'), { status: 503, body: 'not ready: draining\n' });
    assert.equal(await gatehouse.exited, 0);
    // Serve runs one data-plane worker per CPU, and each worker appends its own lines: requests
    // answered by different workers may be logged in either order, so lines are compared by path.
    const lines = (await readFile(accessLogFile, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .sort((a, b) => (String(a.path) < String(b.path) ? -1 : 1));
    assert.deepEqual(
      lines.map((l) => [l.component, l.method, l.path, l.status, l.route, l.backend]),
      [
        ['access', 'GET', '/app/0', 200, 'default/app', 'default/app:80'],
        ['access', 'GET', '/app/1', 200, 'default/app', 'default/app:80'],
        ['access', 'GET', '/app/2', 200, 'default/app', 'default/app:80'],
        ['access', 'GET', '/app2/x', 200, 'default/app', 'default/app:80'],
      ],
    );
    const first = lines[0] as Record<string, unknown>;
    assert.equal(first.upstreamAddress, `127.0.0.1:${backend.port}`);
    assert.equal(first.gateway, 'default/edge');
    assert.equal(first.requestId, backend.requests[0]?.headers['x-request-id']);
    for (const field of ['time', 'authority', 'bytesIn', 'bytesOut', 'durationMs', 'upstreamMs']) {
      assert.ok(field in first, field);
    }
  });
});

describe('gatehouse serve: refused operating flags', () => {
  async function refusedStart(args: string[]): Promise<string> {
    const gatehouse = startGatehouse(['serve', '-f', 'unused.yaml', ...args]);
    assert.equal(await gatehouse.exited, 1);
    return gatehouse.stderr.join('\n');
  }

  it('needs --admin-allow-remote to bind the admin endpoint on a non-loopback address', async () => {
    const message = await refusedStart(['--admin-address', '0.0.0.0:0']);
    assert.match(message, /admin address 0\.0\.0\.0:0 is not loopback: pass --admin-allow-remote/);
  });

  it('binds a non-loopback admin address with --admin-allow-remote', async () => {
    const gatehouse = startGatehouse([
      'serve',
      ...[
        '-f',
        'missing.yaml',
        '--admin-address',
        '0.0.0.0:0',
        '--admin-allow-remote',
        '--drain-delay',
        '0s',
      ],
    ]);
    try {
      const line = await gatehouse.waitFor((l) => l.msg === 'admin endpoint listening');
      assert.match(String(line.address), /^0\.0\.0\.0:\d+$/);
      const port = await adminPortOf(gatehouse);
      assert.equal((await admin(port, '/healthz')).status, 200);
      gatehouse.child.kill('SIGTERM');
      assert.equal(await gatehouse.exited, 0);
    } finally {
      await gatehouse.stop();
    }
  });

  it('refuses an access log it cannot open and a malformed duration', async () => {
    assert.match(await refusedStart(['--access-log', '/nonexistent-dir/access.log']), /ENOENT/);
    assert.match(await refusedStart(['--drain-delay', 'soon']), /must be a duration/);
  });
});
