import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseOptions } from './options.js';

const main = fileURLToPath(new URL('./main.js', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [main, ...args], { encoding: 'utf8' });

test('--help prints the usage and exits 0 without running anything', () => {
  const r = run('--help');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Usage: bench \[options\]/);
  assert.doesNotMatch(r.stderr, /bench failed|at /);
});

test('a bad option is one error line and exit 1, not a stack trace', () => {
  const r = run('--rounds', '0');
  assert.equal(r.status, 1);
  assert.equal(
    r.stderr.trim(),
    "error: option '--rounds <n>' argument '0' is invalid. must be a positive integer",
  );
  const unknown = run('--scenarios', 'keepalive,bogus');
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /unknown scenario "bogus"/);
  assert.equal(unknown.stderr.trim().split('\n').length, 1);
});

test('--quick shortens the run; explicit values win over it', () => {
  const quick = parseOptions(['--quick', '--rounds', '3']);
  assert.equal(quick.rounds, 3);
  assert.equal(quick.duration, 3);
  assert.equal(quick.changes, 20);
  const full = parseOptions(['--scenarios', '5,keepalive', '--proxies', 'nginx,gatehouse']);
  assert.deepEqual(full.scenarios, ['keepalive', 'connections']);
  assert.deepEqual(full.proxies, ['gatehouse', 'nginx']);
  assert.equal(full.rounds, 5);
});
