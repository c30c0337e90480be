// `gatehouse translate -f <dir> -o yaml|json`: prints every computed status and the IR (private
// keys redacted), exits non-zero naming file:line:column and field for a refused file, and has
// no side effects. "Nothing is bound" is checked from inside the child: a preloaded module
// reports every net.Server listen call on stderr.

import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import type { IR } from '../../src/ir/types.js';
import type { StatusUpdate } from '../../src/translator/types.js';
import { createTestPki, type TestPki } from '../fixtures/certs.js';
import { type RunResult, runGatehouse, type TempDir, tempDir } from './cli-process.js';
import {
  backendService,
  gateway,
  gatewayClass,
  gatewayStatus,
  httpRoute,
  routeCondition,
  tlsSecret,
  toYaml,
  writeManifests,
} from './manifests.js';

interface Translation {
  statuses: StatusUpdate[];
  ir: IR;
}

const LISTEN_PROBE = `
import net from 'node:net';
process.stderr.write('probe: loaded\\n');
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  process.stderr.write('probe: listen ' + JSON.stringify(args.filter((a) => typeof a !== 'function')) + '\\n');
  return listen.apply(this, args);
};
`;

describe('translate: statuses and IR from files, no side effects', () => {
  let dir: TempDir;
  let pki: TestPki;
  let probe: string;
  let runs: Record<'yaml' | 'json' | 'bad' | 'xml', Promise<RunResult>>;

  before(async () => {
    dir = await tempDir();
    pki = await createTestPki();
    probe = dir.file('listen-probe.mjs');
    await mkdir(dir.file('config'));
    await mkdir(dir.file('bad'));
    await writeFile(probe, LISTEN_PROBE);
    const leaf = await pki.leaf('tls', ['secure.example.com']);
    await writeManifests(dir.file('config', 'config.yaml'), [
      gatewayClass(),
      gateway('gw', [
        { name: 'http', port: 18080 },
        {
          name: 'https',
          port: 18443,
          protocol: 'HTTPS',
          hostname: 'secure.example.com',
          certificates: ['tls'],
        },
      ]),
      tlsSecret('tls', leaf.certPem, leaf.keyPem),
      ...backendService('web', 9999),
      httpRoute('web', { parents: ['gw'], rules: [{ prefix: '/', backend: 'web' }] }),
      httpRoute('lost', { parents: ['gw'], rules: [{ prefix: '/', backend: 'missing' }] }),
    ]);
    // A demo-backend Service: `serve` would start an echo server for it; translate must not.
    const [service, slice] = backendService('demo', 9998);
    (service!.metadata as { annotations?: object }).annotations = { 'gatehouse.dev/demo-backend': 'echo' };
    await writeManifests(dir.file('config', 'demo.yaml'), [service!, slice!]);
    await writeFile(
      dir.file('bad', 'bad.yaml'),
      toYaml([
        gatewayClass(),
        httpRoute('bad', { parents: ['gw'], rules: [{ prefix: 'relative', backend: 'web' }] }),
      ]),
    );
    // Each run pays the CLI's start-up; they are independent, so they run side by side.
    runs = {
      yaml: runGatehouse(['translate', '-f', dir.file('config'), '-o', 'yaml'], ['--import', probe]),
      json: runGatehouse(['translate', '-f', dir.file('config'), '-o', 'json']),
      bad: runGatehouse(['translate', '-f', dir.file('bad'), '-o', 'json']),
      xml: runGatehouse(['translate', '-f', dir.file('config'), '-o', 'xml']),
    };
    await Promise.all(Object.values(runs));
  });

  after(async () => {
    await pki?.dispose();
    await dir?.dispose();
  });

  function checkTranslation(out: Translation): void {
    const gw = gatewayStatus(out.statuses, 'gw');
    assert.equal(gw?.conditions?.find((c) => c.type === 'Programmed')?.status, 'True');
    assert.deepEqual(
      gw?.listeners?.map((l) => [l.name, l.attachedRoutes]),
      [
        ['http', 2],
        ['https', 2],
      ],
    );
    assert.equal(routeCondition(out.statuses, 'web', 'ResolvedRefs')?.status, 'True');
    const lost = routeCondition(out.statuses, 'lost', 'ResolvedRefs');
    assert.equal(lost?.reason, 'BackendNotFound');
    assert.ok(out.statuses.some((s) => s.kind === 'GatewayClass' && s.name === 'gatehouse'));

    const ports = out.ir.gateways.find((g) => g.name === 'gw')?.ports ?? [];
    assert.deepEqual(
      ports.map((p) => [p.port, p.protocol]),
      [
        [18080, 'HTTP'],
        [18443, 'HTTPS'],
      ],
    );
    const certificate = ports[1]?.listeners[0]?.certificates?.[0];
    assert.equal(certificate?.keyPem, '[redacted]');
    assert.match(certificate?.certPem ?? '', /BEGIN CERTIFICATE/);
    assert.deepEqual(
      Object.values(out.ir.clusters).flatMap((c) => c.endpoints),
      [{ address: '127.0.0.1', port: 9999 }],
    );
  }

  it('-o yaml prints statuses and IR, binds nothing', async () => {
    const run = await runs.yaml;
    assert.equal(run.code, 0, run.stderr);
    checkTranslation(parse(run.stdout) as Translation);
    assert.match(run.stderr, /probe: loaded/);
    assert.doesNotMatch(run.stderr, /probe: listen/);
    assert.doesNotMatch(run.stdout, /PRIVATE KEY/);
  });

  it('-o json prints the same', async () => {
    const [yaml, json] = await Promise.all([runs.yaml, runs.json]);
    assert.equal(json.code, 0, json.stderr);
    const out = JSON.parse(json.stdout) as Translation;
    checkTranslation(out);
    assert.deepEqual(out, parse(yaml.stdout));
  });

  it('exits non-zero with file:line:column and field for a refused file', async () => {
    const run = await runs.bad;
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    const file = dir.file('bad', 'bad.yaml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    assert.match(run.stderr, new RegExp(`${file}:\\d+:\\d+: spec\\.rules\\[0\\]\\.matches\\[0\\]\\.path: `));
    assert.match(run.stderr, /must be an absolute path/);
  });

  it('rejects an unknown output format', async () => {
    const run = await runs.xml;
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /--output must be yaml or json/);
  });
});
