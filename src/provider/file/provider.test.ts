import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gatewayYaml, Harness, serviceYaml } from './testing.js';

const ERROR = 50;
const WARN = 40;

async function withHarness(fn: (h: Harness) => Promise<void>): Promise<void> {
  const h = await Harness.create();
  try {
    await fn(h);
  } finally {
    await h.close();
  }
}

describe('FileProvider: loading', () => {
  it('reads every manifest of a directory tree, skipping hidden and editor files', () =>
    withHarness(async (h) => {
      await h.write('gateways/gw.yaml', gatewayYaml('gw'));
      await h.write('services.yml', `${serviceYaml('a')}---\n${serviceYaml('b', 81)}`);
      await h.write(
        'slice.json',
        JSON.stringify({
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: { name: 'a-1', labels: { 'kubernetes.io/service-name': 'a' } },
          addressType: 'IPv4',
          endpoints: [{ addresses: ['127.0.0.1'] }],
          ports: [{ name: 'http', port: 3000 }],
        }),
      );
      await h.write('.hidden.yaml', serviceYaml('hidden'));
      await h.write('gateways/gw.yaml~', serviceYaml('backup'));
      await h.write('.gw.yaml.swp', serviceYaml('swap'));
      await h.write('notes.txt', 'not a manifest');
      await h.write('.git/config.yaml', serviceYaml('git'));
      await h.start();

      const { snapshot, info } = await h.snapshots.next();
      assert.equal(info.revision, 1);
      assert.deepEqual(
        snapshot.services.map((s) => s.metadata.name),
        ['a', 'b'],
      );
      assert.deepEqual(
        snapshot.gateways.map((g) => `${g.metadata.namespace}/${g.metadata.name}`),
        ['infra/gw'],
      );
      // File mode accepts loopback endpoint addresses (local backends).
      assert.deepEqual(snapshot.endpointSlices[0]?.endpoints[0]?.addresses, ['127.0.0.1']);
      assert.equal(info.changedFiles.length, 3);
    }));

  it('stamps the metadata an API server maintains and applies CRD defaults', () =>
    withHarness(async (h) => {
      await h.write('all.yaml', `${gatewayYaml('gw')}---\n${serviceYaml('svc')}`);
      await h.start();
      const { snapshot } = await h.snapshots.next();
      const gw = snapshot.gateways[0]!;
      assert.match(gw.metadata.uid ?? '', /^[0-9a-f-]{36}$/);
      assert.match(gw.metadata.creationTimestamp ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(gw.metadata.generation, 1);
      assert.match(gw.metadata.resourceVersion ?? '', /^\d+$/);
      assert.deepEqual(gw.spec.listeners[0]?.allowedRoutes, { namespaces: { from: 'Same' } });
      const svc = snapshot.services[0]!;
      assert.equal(svc.metadata.namespace, 'default');
      assert.equal(svc.metadata.generation, undefined);
      assert.notEqual(svc.metadata.resourceVersion, gw.metadata.resourceVersion);
    }));

  it('ignores status in files (an API server returns the CRD default) and keeps a given creationTimestamp', () =>
    withHarness(async (h) => {
      const given = gatewayYaml('gw', 8080, '\n  creationTimestamp: "2020-02-02T02:02:02Z"');
      await h.write('gw.yaml', `${given}status:\n  conditions:\n  - type: Accepted\n    status: "True"\n`);
      await h.start();
      const gw = (await h.snapshots.next()).snapshot.gateways[0]!;
      assert.deepEqual(
        gw.status?.conditions?.map((c) => [c.type, c.status, c.reason]),
        [
          ['Accepted', 'Unknown', 'Pending'],
          ['Programmed', 'Unknown', 'Pending'],
        ],
      );
      assert.equal(gw.metadata.creationTimestamp, '2020-02-02T02:02:02Z');
    }));

  it('the same object in two files: an error naming both files, the first definition kept', () =>
    withHarness(async (h) => {
      await h.write('a.yaml', gatewayYaml('gw', 8080));
      await h.write('b.yaml', `${serviceYaml('svc')}---\n${gatewayYaml('gw', 9090)}`);
      await h.start();
      const { snapshot } = await h.snapshots.next();
      assert.equal(snapshot.gateways.length, 1);
      assert.equal(snapshot.gateways[0]?.spec.listeners[0]?.port, 8080);
      assert.equal(snapshot.services.length, 1);
      const line = await h.logs.find((l) => l.level === ERROR && /defined twice/.test(l.msg));
      assert.equal(line.component, 'provider.file');
      assert.equal(
        line.msg,
        `Gateway infra/gw is defined twice: in ${h.path('a.yaml')}:1 and in ${h.path('b.yaml')}:10; keeping the first`,
      );
    }));

  it('a file that fails at start contributes nothing; the others load', () =>
    withHarness(async (h) => {
      await h.write('good.yaml', serviceYaml('svc'));
      await h.write('bad.yaml', gatewayYaml('gw', 0));
      await h.start();
      const { snapshot, info } = await h.snapshots.next();
      assert.equal(snapshot.services.length, 1);
      assert.equal(snapshot.gateways.length, 0);
      assert.deepEqual(info.failedFiles, [h.path('bad.yaml')]);
      const line = await h.logs.find((l) => l.level === ERROR);
      assert.equal(line.file, h.path('bad.yaml'));
      assert.equal(line.line, 10);
      assert.equal(line.column, 11);
      assert.equal(line.field, 'spec.listeners[0].port');
    }));

  it('warns about unknown fields, with their position', () =>
    withHarness(async (h) => {
      await h.write(
        'gw.yaml',
        gatewayYaml('gw').replace('  gatewayClassName', '  colour: blue\n  gatewayClassName'),
      );
      await h.start();
      assert.equal((await h.snapshots.next()).snapshot.gateways.length, 1);
      const line = await h.logs.find((l) => l.level === WARN);
      assert.equal(line.msg, `${h.path('gw.yaml')}:7:11: unknown field "spec.colour"`);
      assert.equal(line.field, 'spec.colour');
    }));

  it('a missing path is reported and picked up once it appears', () =>
    withHarness(async (h) => {
      await h.start([h.path('later/routes.yaml')]);
      assert.equal((await h.snapshots.next()).snapshot.gateways.length, 0);
      assert.match((await h.logs.find((l) => l.level === WARN)).msg, /no such file or directory/);
      await h.write('later/routes.yaml', gatewayYaml('gw'));
      const { snapshot } = await h.snapshots.next();
      assert.equal(snapshot.gateways.length, 1);
    }));
});
