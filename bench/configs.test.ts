import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { CONTROLLER_NAME, changeRouteFile, gatehouseFiles } from './configs/gatehouse.js';
import { routeMap } from './configs/haproxy.js';
import { type RouteSet, routeSetLabel } from './configs/routes.js';
import { httpStatus, stopAll } from './procs.js';
import { type BenchContext, gatehouseFlags, RUNNERS, type RunningProxy, startBackend } from './proxies.js';

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML, inspected field by field
type Doc = Record<string, any>;

function docs(text: string): Doc[] {
  return parseAllDocuments(text).map((d) => d.toJS() as Doc);
}

test('Gatehouse YAML: class, gateway on the proxy port, backend on loopback, one route per host', () => {
  const files = gatehouseFiles(8080, 9090, { kind: 'many', count: 3 });
  assert.deepEqual(
    files.map((f) => f.name),
    ['base.yaml', 'routes.yaml'],
  );
  const base = docs(files[0]!.text);
  assert.deepEqual(
    base.map((d) => d.kind),
    ['GatewayClass', 'Gateway', 'Service', 'EndpointSlice'],
  );
  assert.equal(base[0]!.spec.controllerName, CONTROLLER_NAME);
  assert.deepEqual(base[1]!.spec.listeners, [{ name: 'http', protocol: 'HTTP', port: 8080 }]);
  const slice = base[3]!;
  assert.equal(slice.metadata.labels['kubernetes.io/service-name'], base[2]!.metadata.name);
  assert.deepEqual(slice.endpoints[0].addresses, ['127.0.0.1']);
  assert.equal(slice.ports[0].port, 9090);
  const routes = docs(files[1]!.text);
  assert.equal(routes.length, 3);
  assert.deepEqual(routes[2]!.spec.hostnames, ['r2.bench.test']);
  assert.deepEqual(routes[2]!.spec.rules[0].matches, [{ path: { type: 'PathPrefix', value: '/r2' } }]);
  assert.deepEqual(routes[2]!.spec.parentRefs, [{ name: base[1]!.metadata.name }]);
});

test('Gatehouse YAML: the catch-all route has no hostnames; a change rewrites only change.yaml', () => {
  const [, routes] = gatehouseFiles(1, 2, { kind: 'catch-all' });
  const route = docs(routes!.text)[0]!;
  assert.equal(route.spec.hostnames, undefined);
  const change = gatehouseFiles(1, 2, { kind: 'change', generation: 4 });
  assert.deepEqual(
    change.map((f) => f.name),
    ['base.yaml', 'stable.yaml', 'change.yaml'],
  );
  assert.equal(change[2]!.text, changeRouteFile(4).text);
  assert.equal(docs(changeRouteFile(5).text)[0]!.spec.rules[0].matches[0].path.value, '/change-5');
});

test('HAProxy map keys are host + path prefix with its slash', () => {
  assert.equal(routeMap(2), 'r0.bench.test/r0/ app\nr1.bench.test/r1/ app\n');
});

test('serve gets only the flags its --help lists', () => {
  const cpus = { proxy: [0, 1], load: [2, 3] };
  const some = { main: 'x', flags: new Set(['--admin-address', '--workers', '--keep-alive-timeout']) };
  assert.deepEqual(gatehouseFlags({ gatehouse: some, cpus }, 9901), [
    '--admin-address',
    '127.0.0.1:9901',
    '--workers',
    '2',
    '--keep-alive-timeout',
    '300s',
  ]);
  assert.deepEqual(gatehouseFlags({ gatehouse: { main: 'x', flags: new Set() }, cpus }, 1), []);
});

// The generated nginx and HAProxy configurations, run for real: they must route like the HTTPRoutes.
const has = (c: string) => spawnSync('sh', ['-c', `command -v ${c}`], { stdio: 'ignore' }).status === 0;
const skip = !(has('nginx') && has('haproxy') && has('taskset'));
const workDir = mkdtempSync(join(tmpdir(), 'bench-configs-'));
after(async () => {
  await stopAll();
  rmSync(workDir, { recursive: true, force: true });
});

async function context(): Promise<BenchContext> {
  const base = {
    repoRoot: workDir,
    workDir,
    cpus: { proxy: [0], load: [0] },
    fdLimit: 4096,
    gatehouse: { main: '', flags: new Set<string>(), unavailable: 'not under test' },
  };
  const backend = await startBackend(base);
  return { ...base, backendPort: backend.port };
}

async function status(proxy: RunningProxy, host: string, path: string): Promise<number> {
  return httpStatus(proxy.port, path, host);
}

for (const kind of ['nginx', 'haproxy'] as const) {
  test(`${kind}: many routes match host and path prefix, a change moves the route`, { skip }, async () => {
    const ctx = await context();
    const many: RouteSet = { kind: 'many', count: 20 };
    const routed = await RUNNERS[kind].start(ctx, many, `${kind}-${routeSetLabel(many).replace(' ', '-')}`);
    assert.equal(await status(routed, 'r7.bench.test', '/r7/item'), 200);
    assert.equal(await status(routed, 'r19.bench.test', '/r19/'), 200);
    assert.equal(await status(routed, 'r7.bench.test', '/r8/item'), 404);
    assert.equal(await status(routed, 'r7.bench.test', '/r70/item'), 404);
    assert.equal(await status(routed, 'r20.bench.test', '/r20/item'), 404);
    await routed.stop();

    const changing = await RUNNERS[kind].start(ctx, { kind: 'change', generation: 0 }, `${kind}-change`);
    assert.equal(await status(changing, 'stable.bench.test', '/anything'), 200);
    assert.equal(await status(changing, 'change.bench.test', '/change-1'), 404);
    await changing.applyChange!(1);
    let answer = 0;
    for (let i = 0; i < 200 && answer !== 200; i++)
      answer = await status(changing, 'change.bench.test', '/change-1');
    assert.equal(answer, 200);
    await changing.settle?.();
    // nginx's former workers keep accepting for ~100 ms after the new ones start
    let old = 0;
    for (let i = 0; i < 100 && old !== 404; i++)
      old = await status(changing, 'change.bench.test', '/change-0');
    assert.equal(old, 404);
    await stopAll();
  });
}
