import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadKubeConfig, SERVICE_ACCOUNT_DIR } from './client.js';
import { KubeRest } from './rest.js';

let dir: string;
let server: Server;
let port: number;
const TOKEN = 'service-account-token';
const userAgents: string[] = [];

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-kubeclient-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  for (const ca of ['ca', 'other-ca']) {
    openssl(
      'req',
      '-x509',
      ...ec,
      '-keyout',
      `${ca}.key`,
      '-out',
      `${ca}.crt`,
      '-subj',
      `/CN=${ca}`,
      '-days',
      '1',
    );
  }
  openssl('req', ...ec, '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=kubernetes');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(
    'x509',
    '-req',
    '-in',
    'srv.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'srv.crt',
    '-days',
    '1',
    '-extfile',
    'san.ext',
  );
});

before(async () => {
  server = createServer(
    { key: readFileSync(join(dir, 'srv.key')), cert: readFileSync(join(dir, 'srv.crt')) },
    (req, res) => {
      userAgents.push(req.headers['user-agent'] ?? '');
      const authorized = req.headers.authorization === `Bearer ${TOKEN}`;
      res.writeHead(authorized ? 200 : 401, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          authorized ? { kind: 'NamespaceList', items: [{ metadata: { name: 'default' } }] } : {},
        ),
      );
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

function serviceAccount(root: string, ca: string): void {
  const sa = join(root, SERVICE_ACCOUNT_DIR);
  mkdirSync(sa, { recursive: true });
  writeFileSync(join(sa, 'token'), TOKEN);
  writeFileSync(join(sa, 'namespace'), 'gatehouse-system');
  writeFileSync(join(sa, 'ca.crt'), readFileSync(join(dir, ca)));
}

const inClusterEnv = () => ({ KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String(port) });

test('in-cluster: the service-account token is sent and the API server is verified with the CA', async () => {
  const root = join(dir, 'good');
  serviceAccount(root, 'ca.crt');
  const loaded = loadKubeConfig({ env: inClusterEnv(), inClusterRoot: root, home: dir });
  assert.equal(loaded.source, 'in-cluster');
  assert.equal(loaded.namespace, 'gatehouse-system');
  assert.equal(loaded.kubeConfig.getCurrentCluster()?.skipTLSVerify, false);
  const list = await new KubeRest(loaded.kubeConfig).get<{ items: unknown[] }>('/api/v1/namespaces');
  assert.equal(list.items.length, 1);
});

test('in-cluster: a server whose certificate the CA did not sign is refused', async () => {
  const root = join(dir, 'bad');
  serviceAccount(root, 'other-ca.crt');
  const { kubeConfig } = loadKubeConfig({ env: inClusterEnv(), inClusterRoot: root, home: dir });
  await assert.rejects(new KubeRest(kubeConfig).get('/api/v1/namespaces'), /certificate/i);
});

test('--kubeconfig wins over KUBECONFIG, which wins over the service account', () => {
  const file = (name: string, server: string) => {
    const path = join(dir, name);
    writeFileSync(
      path,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server } }],
        users: [{ name: 'u', user: { token: 't' } }],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'x',
      }),
    );
    return path;
  };
  const root = join(dir, 'good');
  const env = { ...inClusterEnv(), KUBECONFIG: file('env.json', 'https://env.example:6443') };
  const fromFlag = loadKubeConfig({ kubeconfig: file('flag.json', 'https://flag.example:6443'), env });
  assert.equal(fromFlag.source, 'flag');
  assert.equal(fromFlag.kubeConfig.getCurrentCluster()?.server, 'https://flag.example:6443');
  const fromEnv = loadKubeConfig({ env, inClusterRoot: root });
  assert.equal(fromEnv.source, 'env');
  assert.equal(fromEnv.kubeConfig.getCurrentCluster()?.server, 'https://env.example:6443');
});

test('no configuration at all is an error that says what to do', () => {
  assert.throws(
    () => loadKubeConfig({ env: {}, inClusterRoot: join(dir, 'none'), home: join(dir, 'nohome') }),
    /--kubeconfig/,
  );
});

test('every request carries the User-Agent given, through KubeRest and through watches', async () => {
  const root = join(dir, 'good');
  serviceAccount(root, 'ca.crt');
  const userAgent = 'gatehouse/0.0.0-test (replica-a)';
  const { kubeConfig } = loadKubeConfig({ env: inClusterEnv(), inClusterRoot: root, home: dir, userAgent });
  userAgents.length = 0;
  await new KubeRest(kubeConfig).get('/api/v1/namespaces');
  const init = await kubeConfig.applyToFetchOptions({});
  assert.deepEqual(userAgents, [userAgent]);
  assert.equal((init.headers as unknown as { get(name: string): string }).get('User-Agent'), userAgent);
});
