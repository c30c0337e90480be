// HTTPS listeners end to end: certificates chosen by SNI with the listener hostname rules, ALPN h2
// and http/1.1, 421 for requests whose Host selects another listener than the SNI did (the
// conformance test's cases), WebSocket over TLS, certificates swapped without a restart, and a
// broken certificate that does not affect the rest.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect as h2connect } from 'node:http2';
import { after, before, describe, it } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { type ClientOptions, WebSocket } from 'ws';
import type { CertificateIR, IR } from '../../src/ir/types.js';
import { type EchoBackend, startEchoBackend } from '../fixtures/backend.js';
import { createTestPki, type TestPki } from '../fixtures/certs.js';
import { startDataPlane, type TestDataPlane } from '../fixtures/dataplane.js';
import { buildIr, cluster, forwardTo, gateway, httpsPort, listener, route } from '../fixtures/ir.js';
import { freePort, send, sendH2 } from '../fixtures/net.js';

interface Handshake {
  subject: string;
  fingerprint: string;
  alpn: string | false | null;
}

/** The tests check the subject themselves; the chain is still verified against the CA. */
const anyName = () => undefined;

async function handshake(
  port: number,
  ca: string,
  servername: string | undefined,
  alpn: string[],
): Promise<Handshake> {
  const socket = tlsConnect({
    host: '127.0.0.1',
    port,
    ca,
    ALPNProtocols: alpn,
    checkServerIdentity: anyName,
    ...(servername ? { servername } : {}),
  });
  await once(socket, 'secureConnect');
  const cert = socket.getPeerCertificate();
  const result = {
    subject: String(cert.subject.CN),
    fingerprint: cert.fingerprint256,
    alpn: socket.alpnProtocol,
  };
  socket.end();
  return result;
}

describe('data plane HTTPS listeners', () => {
  const backends: Record<string, EchoBackend> = {};
  let pki: TestPki;
  let plane: TestDataPlane;
  let port: number;
  const certs: Record<string, CertificateIR> = {};

  const config = (second: CertificateIR, extra: CertificateIR[] = []): IR =>
    buildIr(
      [
        gateway('gw', [
          httpsPort(port, [
            listener('https-with-hostname', 'second-example.org', [route(forwardTo('v2'))], [second]),
            listener(
              'https-with-hostname-matching-wildcard',
              'fourth-example.wildcard.org',
              [route(forwardTo('v1'))],
              [certs.fourth!],
            ),
            listener(
              'https-with-wildcard-hostname',
              '*.wildcard.org',
              [route(forwardTo('v3'))],
              [certs.wildcard!],
            ),
            listener('broken', 'broken.org', [route(forwardTo('v2'))], extra),
            listener(
              'https',
              null,
              [route(forwardTo('v1'), { hostnames: ['example.org'] })],
              [certs.example!],
            ),
          ]),
        ]),
      ],
      ['v1', 'v2', 'v3'].map((name) => cluster(name, [backends[name]!.endpoint])),
    );

  before(async () => {
    for (const name of ['v1', 'v2', 'v3']) backends[name] = await startEchoBackend(name);
    pki = await createTestPki();
    certs.example = await pki.leaf('test/example', ['example.org']);
    certs.second = await pki.leaf('test/second', ['second-example.org']);
    certs.wildcard = await pki.leaf('test/wildcard', ['*.wildcard.org']);
    certs.fourth = await pki.leaf('test/fourth', ['fourth-example.wildcard.org']);
    port = await freePort();
    plane = startDataPlane();
    await plane.applyOk(config(certs.second));
  });

  after(async () => {
    await plane.close();
    await pki.dispose();
    await Promise.all(Object.values(backends).map((b) => b.close()));
  });

  it('offers each listener its certificate by SNI: exact, wildcard, catch-all', async () => {
    const subject = async (name: string | undefined) => (await handshake(port, pki.ca, name, ['h2'])).subject;
    assert.equal(await subject('second-example.org'), 'second-example.org');
    assert.equal(await subject('fourth-example.wildcard.org'), 'fourth-example.wildcard.org');
    assert.equal(await subject('third-example.wildcard.org'), '*.wildcard.org');
    assert.equal(await subject('example.org'), 'example.org');
    assert.equal(await subject('unknown-example.org'), 'example.org');
    assert.equal(await subject(undefined), 'example.org');
  });

  it('negotiates h2 and http/1.1 by ALPN', async () => {
    assert.equal((await handshake(port, pki.ca, 'example.org', ['h2', 'http/1.1'])).alpn, 'h2');
    assert.equal((await handshake(port, pki.ca, 'example.org', ['http/1.1'])).alpn, 'http/1.1');
    const tls = { ca: pki.ca, servername: 'example.org' };
    const h1 = await send(port, { path: '/x', host: 'example.org', tls });
    assert.equal(h1.json().backend, 'v1');
    assert.equal(h1.json().headers['x-forwarded-proto'], 'https');
    const h2 = await sendH2(port, { path: '/x', authority: 'example.org', tls });
    assert.equal(h2.json().backend, 'v1');
  });

  it('answers 421 when the Host selects another listener than the SNI', async () => {
    const cases: [sni: string, host: string, expected: number | string][] = [
      ['example.org', 'example.org', 'v1'],
      ['example.org', 'second-example.org', 421],
      ['example.org', 'unknown-example.org', 404],
      ['second-example.org', 'second-example.org', 'v2'],
      ['second-example.org', 'example.org', 421],
      ['second-example.org', 'unknown-example.org', 421],
      ['third-example.wildcard.org', 'third-example.wildcard.org', 'v3'],
      ['third-example.wildcard.org', 'fith-example.wildcard.org', 'v3'],
      ['third-example.wildcard.org', 'fourth-example.wildcard.org', 421],
      ['fourth-example.wildcard.org', 'fourth-example.wildcard.org', 'v1'],
      ['fourth-example.wildcard.org', 'fith-example.wildcard.org', 421],
      ['unknown-example.org', 'example.org', 'v1'],
      ['unknown-example.org', 'unknown-example.org', 404],
    ];
    for (const [sni, host, expected] of cases) {
      const reply = await sendH2(port, {
        path: '/detect',
        authority: host,
        tls: { ca: pki.ca, servername: sni },
      });
      const got = reply.status === 200 ? reply.json().backend : reply.status;
      assert.equal(got, expected, `SNI ${sni}, Host ${host}`);
    }
    const h1 = await send(port, {
      host: 'second-example.org',
      tls: { ca: pki.ca, servername: 'example.org' },
    });
    assert.equal(h1.status, 421);
  });

  it('tunnels WebSocket over TLS', async () => {
    const options = { ca: pki.ca, servername: 'example.org', headers: { host: 'example.org' } };
    const ws = new WebSocket(`wss://127.0.0.1:${port}/ws`, options as ClientOptions);
    await once(ws, 'open');
    ws.send('secure');
    const [data] = await once(ws, 'message');
    assert.equal(String(data), 'v1:secure');
    ws.close();
    await once(ws, 'close');
  });

  it('swaps certificates for new handshakes without restarting the listener', async () => {
    const session = h2connect(`https://127.0.0.1:${port}`, { ca: pki.ca, servername: 'second-example.org' });
    session.on('error', () => {});
    await once(session, 'connect');
    const before = await handshake(port, pki.ca, 'second-example.org', ['h2']);
    const renewed = await pki.leaf('test/second', ['second-example.org']);
    await plane.applyOk(config(renewed));
    const after = await handshake(port, pki.ca, 'second-example.org', ['h2']);
    assert.notEqual(after.fingerprint, before.fingerprint);
    // The connection opened before the apply still serves requests: the listener was not restarted.
    const stream = session.request({ ':path': '/still-open', ':authority': 'second-example.org' });
    const [headers] = await once(stream, 'response');
    assert.equal(headers[':status'], 200);
    stream.resume();
    await once(stream, 'end');
    session.close();
  });

  it('skips a certificate that does not load and applies everything else', async () => {
    const broken: CertificateIR = {
      secret: 'test/broken',
      certPem: 'not a certificate',
      keyPem: 'nor a key',
    };
    await plane.applyOk(config(certs.second!, [broken]));
    assert.equal((await handshake(port, pki.ca, 'second-example.org', ['h2'])).subject, 'second-example.org');
    assert.equal((await handshake(port, pki.ca, 'broken.org', ['h2'])).subject, 'example.org');
    const reply = await send(port, {
      host: 'second-example.org',
      tls: { ca: pki.ca, servername: 'second-example.org' },
    });
    assert.equal(reply.json().backend, 'v2');
  });
});
