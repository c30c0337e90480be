// Bad input under `gatehouse serve -f <dir>` while clients keep requesting a good route: each
// mistake is reported clearly (a log line naming file, line and field, or a condition in
// /status), the last good configuration keeps serving, and not one request fails. Covered:
// malformed YAML, an unknown kind, a field the CRD schema refuses, an invalid RE2 path regex
// (the rule is dropped, the rest of the route serves), a missing certificate Secret (that
// listener only), and a port already in use (that listener only; bound as soon as it frees up,
// without another change).

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type EchoBackend, startEchoBackend } from '../fixtures/backend.js';
import { freePort, send } from '../fixtures/net.js';
import {
  applied,
  eventually,
  type GatehouseProcess,
  type LogLine,
  startGatehouse,
  type TempDir,
  tempDir,
} from './cli-process.js';
import {
  backendService,
  gateway,
  gatewayClass,
  httpRoute,
  type ListenerSpec,
  listenerCondition,
  routeCondition,
  toYaml,
  writeManifests,
} from './manifests.js';
import { fromBackend, moreRequests, startTraffic, type TrafficLoop } from './traffic.js';

describe('serve: bad input is reported and the last good configuration keeps serving', () => {
  let dir: TempDir;
  let gatehouse: GatehouseProcess;
  let backend: EchoBackend;
  let traffic: TrafficLoop;
  let httpPort: number;
  const listeners: ListenerSpec[] = [];

  const writeGateway = () =>
    writeManifests(dir.file('gateway.yaml'), [gatewayClass(), gateway('gw', listeners)]);

  /** Writes `text` to `name` and returns the first error line logged for that file afterwards. */
  async function refused(name: string, text: string): Promise<LogLine> {
    const since = gatehouse.logs.length;
    await writeFile(dir.file(name), text);
    return gatehouse.waitForLog((l) => l.level === 50 && l.file === dir.file(name), `error for ${name}`, {
      since,
    });
  }

  /** Writes a file and waits until the configuration it leads to is applied. */
  async function accepted(name: string, text: string): Promise<void> {
    const since = gatehouse.logs.length;
    await writeFile(dir.file(name), text);
    await gatehouse.waitForLog(applied, `configuration with ${name}`, { since });
  }

  before(async () => {
    dir = await tempDir();
    backend = await startEchoBackend('good');
    httpPort = await freePort();
    listeners.push({ name: 'http', port: httpPort });
    await writeGateway();
    await writeManifests(dir.file('backends.yaml'), backendService('good', backend.port));
    await writeManifests(dir.file('main.yaml'), [
      httpRoute('main', {
        parents: ['gw'],
        hostnames: ['main.example.com'],
        rules: [{ prefix: '/', backend: 'good' }],
      }),
    ]);
    gatehouse = await startGatehouse(['serve', '-f', dir.path, '--bind', '127.0.0.1'], { ready: applied });
    traffic = startTraffic(httpPort, { clients: 4, host: 'main.example.com', check: fromBackend('good') });
    await moreRequests(traffic, 20);
  });

  after(async () => {
    await traffic?.stop();
    await gatehouse?.stop();
    await backend?.close();
    await dir?.dispose();
  });

  it('malformed YAML: file and line logged, the file keeps its last good objects', async () => {
    const text = [
      'apiVersion: gateway.networking.k8s.io/v1',
      'kind: HTTPRoute',
      'metadata:',
      '  name: main',
      '  namespace: default',
      'spec:',
      '  parentRefs:',
      '    - name: gw',
      '   hostnames:', // line 9: indented one space too far
      '    - main.example.com',
      '',
    ].join('\n');
    const line = await refused('main.yaml', text);
    assert.equal(line.line, 9);
    assert.match(line.msg, /main\.yaml:9:1: All mapping items must start at the same column/);
    assert.equal(line.keptObjects, 1);
    await moreRequests(traffic, 20);
  });

  it('an unknown kind: file, line and field logged', async () => {
    const line = await refused(
      'typo.yaml',
      'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoot\nmetadata:\n  name: typo\n',
    );
    assert.equal(line.line, 2);
    assert.equal(line.field, 'kind');
    assert.match(
      line.msg,
      /typo\.yaml:2:7: no matches for kind "HTTPRoot" in version "gateway\.networking\.k8s\.io\/v1"/,
    );
    await moreRequests(traffic, 20);
  });

  it('a value the CRD schema refuses: file, line and field logged', async () => {
    const route = httpRoute('relative', {
      parents: ['gw'],
      rules: [{ prefix: 'no-slash', backend: 'good' }],
    });
    const text = toYaml([route]);
    const line = await refused('relative.yaml', text);
    const expectedLine = text.split('\n').findIndex((l) => l.includes('no-slash')) + 1;
    assert.equal(line.field, 'spec.rules[0].matches[0].path');
    assert.ok(line.line === expectedLine || line.line === expectedLine - 1, `line ${line.line}`);
    assert.match(line.msg, /relative\.yaml:\d+:\d+: .*must be an absolute path and start with '\/'/);
    await moreRequests(traffic, 20);
  });

  it('an invalid RE2 path regex: the rule is dropped, reported in /status, the rest serves', async () => {
    const text = toYaml([
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: 'regex', namespace: 'default' },
        spec: {
          parentRefs: [{ name: 'gw' }],
          hostnames: ['regex.example.com'],
          rules: [
            {
              matches: [{ path: { type: 'RegularExpression', value: '/a(b' } }],
              backendRefs: [{ name: 'good', port: 80 }],
            },
            {
              matches: [{ path: { type: 'PathPrefix', value: '/fine' } }],
              backendRefs: [{ name: 'good', port: 80 }],
            },
          ],
        },
      },
    ]);
    await accepted('regex.yaml', text);
    const statuses = await gatehouse.statuses();
    const partial = routeCondition(statuses, 'regex', 'PartiallyInvalid');
    assert.equal(partial?.status, 'True');
    assert.equal(partial?.reason, 'UnsupportedValue');
    assert.match(partial?.message ?? '', /rule 0 .*not valid RE2.*missing closing \)/);
    assert.equal(routeCondition(statuses, 'regex', 'Accepted')?.status, 'True');
    assert.equal((await send(httpPort, { host: 'regex.example.com', path: '/fine/x' })).status, 200);
    assert.equal((await send(httpPort, { host: 'regex.example.com', path: '/a(b' })).status, 404);
    await moreRequests(traffic, 20);
  });

  it('a missing certificate Secret: that listener says InvalidCertificateRef, the others serve', async () => {
    const httpsPort = await freePort();
    listeners.push({
      name: 'https',
      port: httpsPort,
      protocol: 'HTTPS',
      hostname: 'secure.example.com',
      certificates: ['no-such-secret'],
    });
    const since = gatehouse.logs.length;
    await writeGateway();
    await gatehouse.waitForLog(applied, 'gateway with an https listener', { since });
    const statuses = await gatehouse.statuses();
    const refs = listenerCondition(statuses, 'gw', 'https', 'ResolvedRefs');
    assert.equal(refs?.status, 'False');
    assert.equal(refs?.reason, 'InvalidCertificateRef');
    assert.match(refs?.message ?? '', /default\/no-such-secret does not exist/);
    assert.equal(listenerCondition(statuses, 'gw', 'https', 'Programmed')?.status, 'False');
    assert.equal(listenerCondition(statuses, 'gw', 'http', 'Programmed')?.status, 'True');
    await moreRequests(traffic, 20);
  });

  it('a port in use: PortUnavailable with the OS error, then bound once it frees up', async () => {
    const blocker: Server = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const busyPort = (blocker.address() as { port: number }).port;
    listeners.push({ name: 'busy', port: busyPort });
    const since = gatehouse.logs.length;
    await writeGateway();
    await gatehouse.waitForLog(applied, 'gateway with a busy port', { since });

    const accepted = listenerCondition(await gatehouse.statuses(), 'gw', 'busy', 'Accepted');
    assert.equal(accepted?.status, 'False');
    assert.equal(accepted?.reason, 'PortUnavailable');
    assert.match(accepted?.message ?? '', new RegExp(`EADDRINUSE.*127\\.0\\.0\\.1:${busyPort}`));
    assert.equal(listenerCondition(await gatehouse.statuses(), 'gw', 'http', 'Programmed')?.status, 'True');
    await moreRequests(traffic, 20);

    // Free the port and change nothing: the listener must come up by itself.
    await new Promise((resolve) => blocker.close(resolve));
    await eventually(
      async () => {
        const c = listenerCondition(await gatehouse.statuses(), 'gw', 'busy', 'Programmed');
        return c?.status === 'True' ? c : undefined;
      },
      'the busy listener to be programmed',
      8000,
    );
    const reply = await send(busyPort, { host: 'main.example.com' });
    assert.equal(reply.status, 200);
    assert.equal(reply.json().backend, 'good');
  });

  it('not one request failed through all of it', async () => {
    const result = await traffic.stop();
    assert.deepEqual(result.failures.slice(0, 5), []);
    assert.ok(result.requests > 100, `only ${result.requests} requests`);
  });
});
