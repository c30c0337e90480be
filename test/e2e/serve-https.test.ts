// HTTPS through `gatehouse serve`: two HTTPS listeners on one port with different hostnames and
// certificates (kubernetes.io/tls Secrets in files, made with openssl at test time). SNI picks the
// certificate; rewriting a Secret file rotates the certificate for new handshakes without a
// restart, while a connection opened before keeps working on the old one. /config shows the
// certificates with their private keys redacted.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { Agent, request } from 'node:https';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import type { IR } from '../../src/ir/types.js';
import { type EchoBackend, startEchoBackend } from '../fixtures/backend.js';
import { createTestPki, type TestPki } from '../fixtures/certs.js';
import { freePort } from '../fixtures/net.js';
import {
  applied,
  eventually,
  type GatehouseProcess,
  startGatehouse,
  type TempDir,
  tempDir,
} from './cli-process.js';
import {
  backendService,
  gateway,
  gatewayClass,
  gatewayStatus,
  httpRoute,
  tlsSecret,
  toYaml,
  writeManifests,
} from './manifests.js';

interface PeerCertificate {
  subject: string;
  serial: string;
}

/** A fresh handshake with `servername`; the chain is verified against the CA. */
async function peerCertificate(port: number, ca: string, servername: string): Promise<PeerCertificate> {
  const socket = tlsConnect({ host: '127.0.0.1', port, ca, servername });
  await once(socket, 'secureConnect');
  const cert = socket.getPeerCertificate();
  socket.destroy();
  return { subject: String(cert.subject.CN), serial: cert.serialNumber };
}

/** One request on `agent` (keep-alive); resolves with the answer and its socket. */
function get(
  port: number,
  agent: Agent,
  host: string,
): Promise<{ res: IncomingMessage; body: string; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', servername: host, headers: { host }, agent });
    req.once('error', reject);
    req.once('response', (res) => {
      const socket = res.socket;
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => {
        body += c;
      });
      res.once('end', () => resolve({ res, body, socket }));
    });
    req.end();
  });
}

describe('serve: HTTPS listeners from Secret files', () => {
  let dir: TempDir;
  let pki: TestPki;
  let gatehouse: GatehouseProcess;
  let backend: EchoBackend;
  let port: number;
  const serials: Record<string, string> = {};

  async function writeSecret(host: string): Promise<void> {
    const leaf = await pki.leaf(host, [host]);
    const name = `tls-${host.split('.')[0]}`;
    await writeFile(dir.file(`${name}.yaml`), toYaml([tlsSecret(name, leaf.certPem, leaf.keyPem)]));
  }

  before(async () => {
    dir = await tempDir();
    pki = await createTestPki();
    backend = await startEchoBackend('secure');
    port = await freePort();
    await writeSecret('a.example.com');
    await writeSecret('b.example.com');
    await writeManifests(dir.file('gateway.yaml'), [
      gatewayClass(),
      gateway('gw', [
        { name: 'a', port, protocol: 'HTTPS', hostname: 'a.example.com', certificates: ['tls-a'] },
        { name: 'b', port, protocol: 'HTTPS', hostname: 'b.example.com', certificates: ['tls-b'] },
      ]),
      ...backendService('secure', backend.port),
      httpRoute('web', { parents: ['gw'], rules: [{ prefix: '/', backend: 'secure' }] }),
    ]);
    gatehouse = await startGatehouse(['serve', '-f', dir.path, '--bind', '127.0.0.1'], { ready: applied });
  });

  after(async () => {
    await gatehouse?.stop();
    await backend?.close();
    await pki?.dispose();
    await dir?.dispose();
  });

  it('both listeners are programmed', async () => {
    const gw = gatewayStatus(await gatehouse.statuses(), 'gw');
    for (const listener of gw?.listeners ?? []) {
      const programmed = listener.conditions.find((c) => c.type === 'Programmed');
      assert.equal(programmed?.status, 'True', `listener ${listener.name}`);
    }
    assert.equal(gw?.listeners?.length, 2);
  });

  it('SNI picks the certificate of the listener for that hostname', async () => {
    const a = await peerCertificate(port, pki.ca, 'a.example.com');
    const b = await peerCertificate(port, pki.ca, 'b.example.com');
    assert.equal(a.subject, 'a.example.com');
    assert.equal(b.subject, 'b.example.com');
    serials.a = a.serial;
    const agent = new Agent({ ca: pki.ca, maxSockets: 1 });
    const { res, body } = await get(port, agent, 'b.example.com');
    agent.destroy();
    assert.equal(res.statusCode, 200);
    assert.equal(JSON.parse(body).backend, 'secure');
  });

  it('a rotated Secret is served to new handshakes; an open connection keeps working', async () => {
    const agent = new Agent({ ca: pki.ca, keepAlive: true, maxSockets: 1 });
    const first = await get(port, agent, 'a.example.com');
    assert.equal(first.res.statusCode, 200);
    const socket = first.socket;
    let closed = false;
    socket.once('close', () => {
      closed = true;
    });

    const since = gatehouse.logs.length;
    await writeSecret('a.example.com');
    const rotated = await eventually(async () => {
      const cert = await peerCertificate(port, pki.ca, 'a.example.com');
      return cert.serial !== serials.a ? cert : undefined;
    }, 'the new certificate on new handshakes');
    assert.equal(rotated.subject, 'a.example.com');

    const second = await get(port, agent, 'a.example.com');
    assert.equal(second.res.statusCode, 200);
    assert.equal(second.socket, socket, 'the same connection carried both requests');
    assert.equal(closed, false);
    agent.destroy();
    const reopened = gatehouse.logs.slice(since).filter((l) => /listening/.test(l.msg));
    assert.deepEqual(reopened, [], 'the listener socket was not reopened');
    // The other listener's certificate did not change.
    assert.equal((await peerCertificate(port, pki.ca, 'b.example.com')).subject, 'b.example.com');
  });

  it('/config lists the certificates with private keys redacted', async () => {
    const config = (await gatehouse.admin('/config')).json<{ ir: IR }>();
    const listeners = config.ir.gateways[0]?.ports[0]?.listeners ?? [];
    assert.equal(listeners.length, 2);
    for (const listener of listeners) {
      const [certificate] = listener.certificates ?? [];
      assert.equal(certificate?.keyPem, '[redacted]');
      assert.match(certificate?.certPem ?? '', /BEGIN CERTIFICATE/);
    }
    assert.doesNotMatch(JSON.stringify(config), /PRIVATE KEY/);
  });
});
