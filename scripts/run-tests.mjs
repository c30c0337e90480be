// Runs every compiled *.test.js under dist/ with node:test. Node 20's `node --test <dir>` would
// also run every .js file inside any `test/` folder (helpers included), so the list is explicit.
// Usage: node scripts/run-tests.mjs [--only <dir-prefix>] [--exclude <dir-prefix>] [node --test args]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const args = process.argv.slice(2);
const only = [];
const exclude = [];
const passthrough = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--only') only.push(args[++i]);
  else if (args[i] === '--exclude') exclude.push(args[++i]);
  else passthrough.push(args[i]);
}
// Left out unless asked for by name (`--only bench`).
for (const slow of ['bench/']) {
  if (!only.some((o) => (o.endsWith('/') ? o : `${o}/`).startsWith(slow))) exclude.push(slow);
}

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (name.endsWith('.test.js')) out.push(full);
  }
  return out;
}

const files = walk('dist', [])
  .filter((f) => {
    const rel = relative('dist', f);
    if (only.length && !only.some((p) => rel.startsWith(p))) return false;
    return !exclude.some((p) => rel.startsWith(p));
  })
  .sort();
if (files.length === 0) {
  console.error('no test files found under dist/ (did the build run?)');
  process.exit(1);
}
const res = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...passthrough, ...files], {
  stdio: 'inherit',
});
process.exit(res.status ?? 1);
