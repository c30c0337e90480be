import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compileLoadgen, parseLoadgen, runLoadgen, usToMs } from './loadgen.js';

// dist/bench/loadgen.test.js → the C source stays in bench/ at the repository root
const sourceDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench');
const hasGcc = spawnSync('sh', ['-c', 'command -v gcc'], { stdio: 'ignore' }).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'bench-loadgen-'));
let binary = '';
const servers: Server[] = [];

before(() => {
  if (hasGcc) binary = compileLoadgen(sourceDir, dir);
});
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

const run = { seconds: 1, host: 'bench.test', path: '/x', timeoutSeconds: 2 };

test('parses the JSON line and keeps "not completed" as Infinity', () => {
  const r = parseLoadgen(
    'noise\n{"rate":10,"seconds":1,"warmupSeconds":0,"connections":1,"scheduled":10,"completed":9,"non2xx":0,"errors":1,' +
      '"unanswered":1,"maxSendLagUs":5,"p50Us":120,"p90Us":300,"p99Us":-1,"p999Us":-1,"maxUs":-1}\n',
  );
  assert.equal(r.completed, 9);
  assert.equal(usToMs(r.p50Us), 0.12);
  assert.equal(usToMs(r.p99Us), Number.POSITIVE_INFINITY);
  assert.throws(() => parseLoadgen('{"rate":1}'), /lacks seconds/);
});

test('sends exactly rate x seconds requests, reads length-delimited, chunked and closing responses', {
  skip: !hasGcc,
}, async () => {
  let n = 0;
  let hostSeen = '';
  const port = await listen((req, res) => {
    n++;
    hostSeen = req.headers.host ?? '';
    if (n % 3 === 0) {
      res.write('o'); // no length: chunked
      res.end('k');
    } else if (n % 7 === 0) {
      res.writeHead(503, { connection: 'close' });
      res.end('no');
    } else res.end('ok');
  });
  const r = await runLoadgen(binary, { ...run, port, rate: 300, connections: 4 }, [0]);
  assert.equal(r.scheduled, 300);
  assert.equal(r.completed, 300);
  assert.equal(n, 300);
  assert.equal(hostSeen, 'bench.test');
  assert.equal(r.non2xx, Math.floor(300 / 7) - Math.floor(300 / 21));
  assert.equal(r.errors + r.unanswered, 0);
  assert.ok(r.p50Us >= 0 && r.p50Us < 50_000, `p50 ${r.p50Us} us`);
});

test('a stall shows in the tail: latency counts from the due time, not the send time', {
  skip: !hasGcc,
}, async () => {
  let n = 0;
  const port = await listen((_req, res) => {
    n++;
    if (n === 1) setTimeout(() => res.end('ok'), 500);
    else res.end('ok');
  });
  // one connection: requests due during the 500 ms stall wait for it; a closed-loop tool would
  // report one slow request, an open-loop one reports every request that was due meanwhile
  const r = await runLoadgen(binary, { ...run, port, rate: 200, connections: 1 }, [0]);
  assert.equal(r.completed, 200);
  assert.ok(r.maxUs >= 490_000, `max ${r.maxUs} us`);
  assert.ok(r.p90Us >= 150_000, `p90 ${r.p90Us} us`);
  assert.ok(r.maxSendLagUs >= 400_000, `send lag ${r.maxSendLagUs} us`);
});

test('the warm-up is sent at the rate and counted, but its latencies stay out of the percentiles', {
  skip: !hasGcc,
}, async () => {
  let n = 0;
  const port = await listen((_req, res) => {
    n++;
    if (n === 1) setTimeout(() => res.end('ok'), 300);
    else res.end('ok');
  });
  // the same 300 ms stall as above, but inside a 0.5 s warm-up: the measured second is quiet
  const r = await runLoadgen(binary, { ...run, port, rate: 200, connections: 1, warmupSeconds: 0.5 }, [0]);
  assert.equal(r.warmupSeconds, 0.5);
  assert.equal(r.scheduled, 300);
  assert.equal(r.completed, 300);
  assert.equal(n, 300);
  assert.ok(r.maxUs < 100_000, `max ${r.maxUs} us`);
  assert.ok(r.maxSendLagUs >= 250_000, `send lag ${r.maxSendLagUs} us`);
});

test('requests that never get an answer are unanswered, not dropped', { skip: !hasGcc }, async () => {
  const port = await listen((req, res) => {
    if (req.url === '/x') setTimeout(() => res.end('late'), 5000).unref();
  });
  const r = await runLoadgen(binary, { ...run, port, rate: 20, connections: 2, timeoutSeconds: 0.3 }, [0]);
  assert.equal(r.scheduled, 20);
  assert.equal(r.completed, 0);
  assert.equal(r.unanswered, 20);
  assert.equal(r.p50Us, -1);
});
