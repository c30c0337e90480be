// TLS to backends (BackendTLSPolicy in the IR) end to end, against a real HTTPS backend: the
// policy's hostname is the SNI whatever the Host header says, the certificate must chain to the
// policy's CA and match its hostname or one of its subjectAltNames (DNS or URI), a cluster that
// trusts nothing answers 503 without connecting, and a Gateway with a backend client certificate
// presents it in the handshake while another Gateway on the same cluster does not.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { TLSSocket } from 'node:tls';
import type { CertificateIR, ClusterIR, UpstreamTlsIR } from '../../src/ir/types.js';
import { createTestPki, type TestPki } from '../fixtures/certs.js';
import { startDataPlane, type TestDataPlane } from '../fixtures/dataplane.js';
import { buildIr, forwardTo, gateway, httpPort, listener, route } from '../fixtures/ir.js';
import { freePort, send } from '../fixtures/net.js';

interface BackendView {
  sni: string | null;
  host: string;
  clientCN: string | null;
}

/** An HTTPS backend that asks for (but does not require) a client certificate and describes the request. */
async function startTlsBackend(certificate: CertificateIR, clientCa: string): Promise<Server> {
  const server = createServer(
    {
      cert: certificate.certPem,
      key: certificate.keyPem,
      ca: clientCa,
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      const socket = req.socket as TLSSocket;
      const peer = socket.getPeerCertificate();
      const view: BackendView = {
        sni: (socket as TLSSocket & { servername?: string | false }).servername || null,
        host: req.headers.host ?? '',
        clientCN: socket.authorized && peer?.subject ? String(peer.subject.CN) : null,
      };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(view));
    },
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

describe('data plane TLS to backends', () => {
  let pki: TestPki;
  let otherPki: TestPki;
  let backend: Server;
  let plane: TestDataPlane;
  let plainPort: number;
  let clientCertPort: number;

  const policy = (overrides: Partial<UpstreamTlsIR>): UpstreamTlsIR => ({
    policy: 'test/policy',
    serverName: 'backend.test',
    caCertificates: [pki.ca],
    systemRoots: false,
    subjectAltNames: [],
    ...overrides,
  });

  before(async () => {
    pki = await createTestPki();
    otherPki = await createTestPki();
    const serving = await pki.leaf('test/backend', ['backend.test', 'spiffe://backend.test/identity']);
    const clientCertificate = await pki.leaf('test/client', ['gateway-client']);
    backend = await startTlsBackend(serving, pki.ca);
    const endpoint = { address: '127.0.0.1', port: (backend.address() as AddressInfo).port };
    const clusters: Record<string, UpstreamTlsIR> = {
      ok: policy({}),
      'wrong-name': policy({ serverName: 'other.test' }),
      'wrong-ca': policy({ caCertificates: [otherPki.ca] }),
      'san-uri': policy({
        serverName: 'alias.test',
        subjectAltNames: [{ type: 'URI', value: 'spiffe://backend.test/identity' }],
      }),
      'san-dns': policy({
        serverName: 'alias.test',
        subjectAltNames: [{ type: 'Hostname', value: 'backend.test' }],
      }),
      'san-miss': policy({
        subjectAltNames: [
          { type: 'Hostname', value: 'nope.test' },
          { type: 'URI', value: 'spiffe://backend.test/other' },
        ],
      }),
      untrusted: policy({ caCertificates: [] }),
    };
    const irClusters: ClusterIR[] = Object.entries(clusters).map(([name, tls]) => ({
      name,
      protocol: 'http1',
      endpoints: [endpoint],
      tls,
    }));
    const routes = () => Object.keys(clusters).map((name) => route(forwardTo(name), { prefix: `/${name}` }));
    plainPort = await freePort();
    clientCertPort = await freePort();
    const presenting = gateway('presenting', [httpPort(clientCertPort, [listener('http', null, routes())])]);
    presenting.backendClientCertificate = clientCertificate;
    plane = startDataPlane();
    await plane.applyOk(
      buildIr(
        [gateway('plain', [httpPort(plainPort, [listener('http', null, routes())])]), presenting],
        irClusters,
      ),
    );
  });

  after(async () => {
    await plane?.close();
    backend?.closeAllConnections();
    backend?.close();
    await pki?.dispose();
    await otherPki?.dispose();
  });

  const get = async (port: number, path: string) => {
    const reply = await send(port, { path, host: 'client-facing.example' });
    return {
      status: reply.status,
      view: reply.status === 200 ? (JSON.parse(reply.text()) as BackendView) : undefined,
    };
  };

  it('connects with the policy hostname as SNI and keeps the client Host header', async () => {
    const { status, view } = await get(plainPort, '/ok');
    assert.equal(status, 200);
    assert.equal(view?.sni, 'backend.test');
    assert.equal(view?.host, 'client-facing.example');
    assert.equal(view?.clientCN, null);
  });

  it('answers 502 when the certificate does not match the hostname or chain to the CA', async () => {
    assert.equal((await get(plainPort, '/wrong-name')).status, 502);
    assert.equal((await get(plainPort, '/wrong-ca')).status, 502);
  });

  it('verifies subjectAltNames instead of the hostname when they are given', async () => {
    const uri = await get(plainPort, '/san-uri');
    assert.equal(uri.status, 200);
    assert.equal(uri.view?.sni, 'alias.test');
    assert.equal((await get(plainPort, '/san-dns')).status, 200);
    assert.equal((await get(plainPort, '/san-miss')).status, 502);
  });

  it('answers 503 for a cluster whose policy trusts nothing', async () => {
    assert.equal((await get(plainPort, '/untrusted')).status, 503);
  });

  it('presents the Gateway backend client certificate only for the Gateway that has one', async () => {
    const presented = await get(clientCertPort, '/ok');
    assert.equal(presented.status, 200);
    assert.equal(presented.view?.clientCN, 'gateway-client');
    assert.equal((await get(plainPort, '/ok')).view?.clientCN, null);
  });

  it('keeps the policy SNI whatever Host header a request carries', async () => {
    const reply = await send(plainPort, { path: '/ok', host: 'another-host.example' });
    assert.equal(reply.status, 200);
    const view = JSON.parse(reply.text()) as BackendView;
    assert.equal(view.sni, 'backend.test');
    assert.equal(view.host, 'another-host.example');
  });
});
