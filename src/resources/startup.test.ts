// Startup cost of validation: a fresh process imports the validator, loads and compiles the
// HTTPRoute CRD (schema and CEL rules) and validates one HTTPRoute. Measured in a child process
// so nothing is warm; the best of two runs is compared, as one run can be slowed by other load.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);

const SCRIPT = `
const { validateObject } = await import(${JSON.stringify(new URL('./validate.js', import.meta.url).href)});
const result = validateObject({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'r', namespace: 'default' },
  spec: {
    parentRefs: [{ name: 'gw' }],
    hostnames: ['example.com'],
    rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/api' } }], backendRefs: [{ name: 'api', port: 8080 }] }],
  },
});
if (result.outcome !== 'accepted') throw new Error(result.outcome);
console.log(performance.now().toFixed(0));
`;

async function startupMs(): Promise<number> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', SCRIPT]);
  return Number(stdout.trim());
}

it('a fresh process validates its first HTTPRoute in under a second', async (t) => {
  const first = await startupMs();
  const best = first < 1000 ? first : Math.min(first, await startupMs());
  t.diagnostic(`process start to first HTTPRoute validated: ${best} ms`);
  assert.ok(best < 1000, `took ${best} ms`);
});

const PRECOMPILED = `
const { precompileValidation, validateObject } = await import(${JSON.stringify(new URL('./validate.js', import.meta.url).href)});
precompileValidation();
const started = performance.now();
const result = validateObject({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'r', namespace: 'default' },
  spec: {
    parentRefs: [{ name: 'gw' }],
    hostnames: ['example.com'],
    rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/api' }, headers: [{ name: 'x', value: 'y' }] }], filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { add: [{ name: 'a', value: 'b' }] } }], backendRefs: [{ name: 'api', port: 8080 }] }],
  },
});
if (result.outcome !== 'accepted') throw new Error(result.outcome);
console.log((performance.now() - started).toFixed(1));
`;

it('after precompileValidation, the first HTTPRoute validates without compiling (a long-running process edits fast)', async (t) => {
  const measure = async () =>
    Number((await run(process.execPath, ['--input-type=module', '-e', PRECOMPILED])).stdout.trim());
  const first = await measure();
  const best = first < 50 ? first : Math.min(first, await measure());
  t.diagnostic(
    `first HTTPRoute validated ${best} ms after precompiling (compiling on first use costs ~250 ms)`,
  );
  assert.ok(best < 50, `took ${best} ms`);
});
