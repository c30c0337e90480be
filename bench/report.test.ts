import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parsePssBytes, parseRssBytes, parseStat, treeMemory, treeOf, treeTicks } from './proc-stat.js';
import { displayCommand } from './procs.js';
import { type BenchReport, formatSpread, renderMarkdown, renderScenario, writeResults } from './report.js';
import type { ScenarioResult } from './rounds.js';
import { spread } from './stats.js';

const scenario: ScenarioResult = {
  id: 'keepalive',
  title: '1. Small GET',
  description: 'wrk, 64 connections.',
  metrics: [
    { key: 'rps', label: 'rps', digits: 0 },
    { key: 'p99Ms', label: 'p99 ms', digits: 2 },
  ],
  rows: [
    {
      target: 'gatehouse',
      kind: 'gatehouse',
      variant: '1 route',
      figures: { rps: spread([21000, 20000, 22000])!, p99Ms: spread([9, Infinity, 8])! },
    },
    {
      target: 'haproxy',
      kind: 'haproxy',
      variant: '1 route',
      figures: { rps: spread([42000])!, p99Ms: spread([5.7])! },
    },
  ],
  ratios: { haproxy: { rps: 0.5 } },
  commands: ['taskset -c 1 wrk -t1 -c64 -d10s --latency http://127.0.0.1:<port>/'],
  notes: ['node-http-proxy: skipped: reason'],
};

test('a spread prints as median (min–max), or the median alone when min and max print alike', () => {
  assert.equal(formatSpread(spread([1, 3, 2]), 0), '2 (1–3)');
  assert.equal(formatSpread(spread([42020.4]), 0), '42,020');
  assert.equal(formatSpread(spread([9.81, 9.79]), 1), '9.8');
  assert.equal(formatSpread(spread([Infinity]), 1), '∞');
  assert.equal(formatSpread(spread([1, Infinity, Infinity]), 1), '∞ (1.0–∞)');
  assert.equal(formatSpread(undefined, 0), '–');
});

test('a scenario renders a table per proxy, the ratio table, notes and commands', () => {
  const md = renderScenario(scenario);
  assert.match(md, /^## 1\. Small GET/);
  assert.match(md, /\| gatehouse \| 21,000 \(20,000–22,000\) \| 9\.00 \(8\.00–∞\) \|/);
  assert.match(md, /\| haproxy \| 42,000 \| 5\.70 \|/);
  assert.match(
    md,
    /\| Gatehouse ÷ \| rps \| p99 ms \|\n\| --- \| --- \| --- \|\n\| haproxy \| 0\.50 \| – \|/,
  );
  assert.match(md, /- node-http-proxy: skipped: reason/);
  assert.match(md, /```sh\ntaskset -c 1 wrk/);
});

const dir = mkdtempSync(join(tmpdir(), 'bench-report-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('results are written as <date>.md and latest.json', () => {
  const report: BenchReport = {
    date: '2026-11-23',
    quick: true,
    machine: {
      cpuModel: 'Test CPU',
      cores: 2,
      kernel: '6.1',
      node: 'v20.20.2',
      haproxy: 'HAProxy version 2.6',
      nginx: 'nginx version: nginx/1.22.1',
      wrk: 'wrk 4.1.0',
      gcc: 'gcc 12',
    },
    cpus: { proxy: [0], load: [1] },
    settings: { rounds: 5 },
    commands: ['taskset -c 1 nginx -c bench/.work/backend/nginx.conf'],
    notes: ['gatehouse serve not available'],
    scenarios: [scenario],
  };
  const written = writeResults(report, join(dir, 'results'));
  assert.equal(written.markdown, join(dir, 'results', '2026-11-23.md'));
  const md = readFileSync(written.markdown, 'utf8');
  assert.equal(md, renderMarkdown(report));
  assert.match(md, /quick run/);
  assert.match(md, /- CPU: Test CPU, 2 cores; proxies on CPU 0/);
  const json = JSON.parse(readFileSync(written.json, 'utf8'));
  assert.equal(json.scenarios.keepalive.proxies.haproxy.rps.median, 42000);
  assert.equal(json.scenarios.keepalive.gatehouseRatio.haproxy.rps, 0.5);
  assert.equal(json.machine.cores, 2);
  assert.equal(json.scenarios.keepalive.proxies.gatehouse.p99Ms.max, 'Infinity');
});

test('/proc parsing: a command name with spaces and parentheses, RSS and PSS lines', () => {
  const stat = '4242 (a (b) c) S 17 4242 4242 0 -1 4194560 100 0 0 0 250 50 7 3 20 0 1 0 99 1000 10';
  assert.deepEqual(parseStat(stat), { pid: 4242, ppid: 17, ticks: 250 + 50 + 7 + 3 });
  assert.equal(parseStat('garbage'), undefined);
  assert.equal(parseRssBytes('Name:\tx\nVmRSS:\t   2048 kB\n'), 2048 * 1024);
  assert.equal(parseRssBytes('Name:\tzombie\n'), 0);
  assert.equal(parsePssBytes('Rss:  10 kB\nPss:   6 kB\n'), 6 * 1024);
  const all = [
    { pid: 1, ppid: 0, ticks: 0 },
    { pid: 10, ppid: 1, ticks: 0 },
    { pid: 11, ppid: 10, ticks: 0 },
    { pid: 12, ppid: 1, ticks: 0 },
  ];
  assert.deepEqual(treeOf(10, all), [10, 11]);
  assert.deepEqual(treeOf(99, all), []);
});

test('CPU ticks and memory of a real process tree: a busy child counts for its parent', async () => {
  // a shell whose child burns CPU for 300 ms: the tree's ticks grow, the tree has memory
  const child = spawn('sh', ['-c', 'timeout 0.3 sh -c "while :; do :; done"; sleep 0.2'], {
    stdio: 'ignore',
  });
  const pid = child.pid!;
  const before = treeTicks([pid]);
  await new Promise((resolve) => setTimeout(resolve, 250));
  const during = treeTicks([pid]);
  assert.ok(treeMemory([pid]).rss > 0);
  await new Promise((resolve) => child.once('exit', resolve));
  assert.ok(during - before >= 5, `only ${during - before} ticks in 250 ms of busy loop`);
});

test('commands are shown pinned, quoted where the shell needs it, with repository paths relative', () => {
  const shown = displayCommand('/repo', [1], 'wrk', [
    '-H',
    'Host: a.test',
    '/repo/bench/x.lua',
    'http://127.0.0.1:<port>/',
  ]);
  assert.equal(shown, "taskset -c 1 wrk -H 'Host: a.test' bench/x.lua http://127.0.0.1:<port>/");
  assert.equal(
    displayCommand('/repo', [0, 1], "it's", ['/repository']),
    "taskset -c 0,1 'it'\\''s' /repository",
  );
});
