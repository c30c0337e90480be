import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  countFailuresLua,
  errorCount,
  parseDurationMs,
  parseWrk,
  runWrk,
  spreadRoutesLua,
  wrkArgs,
} from './wrk.js';

const CAPTURED = `Running 10s test @ http://127.0.0.1:41234/
  1 threads and 1000 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    25.39ms  112.37ms   2.00s    97.52%
    Req/Sec    41.22k     2.01k   44.10k    72.00%
  Latency Distribution
     50%    1.49ms
     75%  812.00us
     90%    3.20ms
     99%    1.02s
  412345 requests in 10.01s, 58.21MB read
  Socket errors: connect 3, read 4, write 5, timeout 17
  Non-2xx or 3xx responses: 9
Requests/sec:  41193.30
Transfer/sec:      5.82MB
bench-failures: 11
`;

test('parses a wrk report with --latency, socket errors, non-2xx and the Lua failure line', () => {
  const r = parseWrk(CAPTURED);
  assert.equal(r.requests, 412345);
  assert.equal(r.seconds, 10.01);
  assert.equal(r.rps, 41193.3);
  assert.equal(r.p50Ms, 1.49);
  assert.equal(r.p90Ms, 3.2);
  assert.equal(r.p99Ms, 1020);
  assert.equal(r.maxMs, 2000);
  assert.deepEqual(r.errors, { connect: 3, read: 4, write: 5, timeout: 17 });
  assert.equal(r.non2xx3xx, 9);
  assert.equal(r.luaFailures, 11);
  assert.equal(errorCount(r), 3 + 4 + 5 + 9);
});

test('a clean report has zero errors and no Lua count; garbage is refused', () => {
  const clean = CAPTURED.replace(/ {2}Socket errors.*\n/, '')
    .replace(/ {2}Non-2xx.*\n/, '')
    .replace(/bench-failures.*\n/, '');
  const r = parseWrk(clean);
  assert.equal(errorCount(r) + r.errors.timeout, 0);
  assert.equal(r.luaFailures, undefined);
  assert.throws(() => parseWrk('unable to connect to 127.0.0.1:9 Connection refused'), /unrecognised/);
});

test('durations in every wrk unit', () => {
  assert.equal(parseDurationMs('312.11us'), 0.31211);
  assert.equal(parseDurationMs('2.00m'), 120_000);
  assert.ok(Number.isNaN(parseDurationMs('fast')));
});

test('wrk command line', () => {
  const args = wrkArgs({
    port: 8080,
    connections: 1000,
    threads: 1,
    seconds: 10,
    timeoutSeconds: 5,
    host: 'a.test',
  });
  assert.deepEqual(args, [
    '-t1',
    '-c1000',
    '-d10s',
    '--latency',
    '--timeout',
    '5s',
    '-H',
    'Host: a.test',
    'http://127.0.0.1:8080/',
  ]);
});

// The Lua scripts run in real wrk against a local server that records what it receives.
const hasWrk = spawnSync('sh', ['-c', 'command -v wrk'], { stdio: 'ignore' }).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'bench-wrk-'));
const servers: Server[] = [];
after(() => {
  for (const s of servers) s.close();
  rmSync(dir, { recursive: true, force: true });
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<number> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

test('spread script: each request pairs route i’s host with its path, across many routes', {
  skip: !hasWrk,
}, async () => {
  const seen = new Set<string>();
  let mismatched = 0;
  const port = await listen((req, res) => {
    const host = /^r(\d+)\.bench\.test$/.exec(req.headers.host ?? '')?.[1];
    const path = /^\/r(\d+)\/item$/.exec(req.url ?? '')?.[1];
    if (host === undefined || host !== path) mismatched++;
    seen.add(req.headers.host ?? '');
    res.end('ok');
  });
  const script = join(dir, 'spread.lua');
  writeFileSync(script, spreadRoutesLua(50));
  const result = await runWrk({ port, connections: 2, threads: 1, seconds: 1, script }, [0]);
  assert.ok(result.requests > 100, `only ${result.requests} requests`);
  assert.equal(mismatched, 0);
  assert.equal(seen.size, 50);
});

test('failure script counts every non-2xx response, 3xx included', { skip: !hasWrk }, async () => {
  let sent = 0;
  const port = await listen((_req, res) => {
    sent++;
    const status = sent % 5 === 0 ? 503 : sent % 5 === 1 ? 302 : 200;
    res.writeHead(status, status === 302 ? { location: '/' } : {});
    res.end('x');
  });
  const script = join(dir, 'failures.lua');
  writeFileSync(script, countFailuresLua());
  const result = await runWrk({ port, connections: 1, threads: 1, seconds: 1, script }, [0]);
  // wrk's own count covers only >= 400; ours adds the 302s, about as many again
  assert.ok(result.luaFailures !== undefined && result.non2xx3xx > 0);
  assert.ok(Math.abs(result.luaFailures - 2 * result.non2xx3xx) <= 2, JSON.stringify(result));
});
