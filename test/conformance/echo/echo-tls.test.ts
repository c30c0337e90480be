/**
 * The echo server's HTTPS port with openssl-made certificates: the `tls` block of the echo body
 * over HTTP/1.1 and h2, and client certificates — not asked for without client CAs; with them,
 * optional, reported as the chain the client sent, and refused when no trusted CA signed them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type EchoServer, startEcho } from './server.js';
import { fetchHttp2, fetchOnce } from './test-client.js';
import { makeTestPki, type TestPki } from './test-pki.js';

describe('echo server: HTTPS port', () => {
  let pki: TestPki;
  let plain: EchoServer;
  let verifying: EchoServer;
  const url = (server: EchoServer, path = '/tls') => `https://localhost:${server.httpsPort}${path}`;

  before(async () => {
    pki = await makeTestPki();
    const base = { host: '127.0.0.1', httpPort: 0, h2cPort: 0, log: () => {} };
    plain = await startEcho({ ...base, https: { cert: pki.serverCert, key: pki.serverKey, port: 0 } });
    verifying = await startEcho({
      ...base,
      https: { cert: pki.serverCert, key: pki.serverKey, clientCa: pki.clientCa, port: 0 },
    });
  });
  after(async () => {
    await Promise.all([plain?.close(), verifying?.close()]);
    await pki?.cleanup();
  });

  it('reports version, SNI and cipher suite, leaving empty fields out', async () => {
    const res = await fetchOnce(url(plain), { tls: { ca: pki.serverCa, servername: 'localhost' } });
    assert.equal(res.status, 200);
    const echo = JSON.parse(res.body);
    assert.equal(echo.proto, 'HTTP/1.1');
    assert.deepEqual(Object.keys(echo.tls), ['version', 'serverName', 'cipherSuite']);
    assert.equal(echo.tls.version, 'TLSv1.3');
    assert.equal(echo.tls.serverName, 'localhost');
    assert.match(echo.tls.cipherSuite, /^TLS_AES_(128|256)_GCM_SHA(256|384)$|^TLS_CHACHA20_POLY1305_SHA256$/);
  });

  it('speaks h2 when the client offers it by ALPN', async () => {
    const res = await fetchHttp2(
      `https://localhost:${plain.httpsPort}`,
      { ':path': '/h2' },
      { ca: pki.serverCa },
    );
    const echo = JSON.parse(res.body);
    assert.equal(echo.proto, 'HTTP/2.0');
    assert.equal(echo.tls.negotiatedProtocol, 'h2');
    assert.equal(echo.tls.serverName, 'localhost');
  });

  it('routes like the HTTP port (/status, /health)', async () => {
    const tls = { ca: pki.serverCa };
    assert.equal((await fetchOnce(url(plain, '/status/418'), { tls })).status, 418);
    assert.equal((await fetchOnce(url(plain, '/health'), { tls })).body, 'OK');
  });

  it('does not ask for a client certificate when no client CAs are configured', async () => {
    const res = await fetchOnce(url(plain), {
      tls: { ca: pki.serverCa, cert: pki.clientLeaf + pki.clientIntermediate, key: pki.clientKey },
    });
    assert.equal(JSON.parse(res.body).tls.peerCertificates, undefined);
  });

  it('with client CAs, serves a client that sends no certificate', async () => {
    const res = await fetchOnce(url(verifying), { tls: { ca: pki.serverCa } });
    assert.equal(res.status, 200);
    assert.equal(JSON.parse(res.body).tls.peerCertificates, undefined);
  });

  it('reports the certificate chain the client sent, leaf first, as PEM', async () => {
    const res = await fetchOnce(url(verifying), {
      tls: { ca: pki.serverCa, cert: pki.clientLeaf + pki.clientIntermediate, key: pki.clientKey },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body).tls.peerCertificates, [pki.clientLeaf, pki.clientIntermediate]);
  });

  it('refuses a client certificate that no trusted CA signed', async () => {
    await assert.rejects(
      fetchOnce(url(verifying), { tls: { ca: pki.serverCa, cert: pki.strangerCert, key: pki.strangerKey } }),
    );
  });
});
