// Client-certificate validation on HTTPS ports (Gateway spec.tls.frontend in the IR), end to end:
// AllowValidOnly admits only clients whose certificate chains to the port's CA (others fail in the
// TLS handshake, before any HTTP answer), AllowInsecureFallback admits everyone, ports without
// validation ask for no certificate, and switching modes takes effect without rebinding the port.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CertificateIR, ClientValidationIR, IR } from '../../src/ir/types.js';
import { type EchoBackend, startEchoBackend } from '../fixtures/backend.js';
import { createTestPki, type TestPki } from '../fixtures/certs.js';
import { startDataPlane, type TestDataPlane } from '../fixtures/dataplane.js';
import { buildIr, cluster, forwardTo, gateway, httpsPort, listener, route } from '../fixtures/ir.js';
import { freePort, send } from '../fixtures/net.js';

describe('data plane frontend client certificate validation', () => {
  let serverPki: TestPki;
  let clientPki: TestPki;
  let strangerPki: TestPki;
  let backend: EchoBackend;
  let plane: TestDataPlane;
  let serving: CertificateIR;
  let trusted: CertificateIR;
  let stranger: CertificateIR;
  let strictPort: number;
  let fallbackPort: number;
  let openPort: number;

  const config = (strictMode: ClientValidationIR['mode']): IR => {
    const port = (number: number, validation?: ClientValidationIR) => {
      const ir = httpsPort(number, [listener('https', null, [route(forwardTo('echo'))], [serving])]);
      if (validation) ir.clientValidation = validation;
      return ir;
    };
    const ca = [clientPki.ca];
    return buildIr(
      [
        gateway('gw', [
          port(strictPort, { caCertificates: ca, mode: strictMode }),
          port(fallbackPort, { caCertificates: ca, mode: 'AllowInsecureFallback' }),
          port(openPort),
        ]),
      ],
      [cluster('echo', [backend.endpoint])],
    );
  };

  before(async () => {
    serverPki = await createTestPki();
    clientPki = await createTestPki();
    strangerPki = await createTestPki();
    serving = await serverPki.leaf('test/serving', ['gw.test']);
    trusted = await clientPki.leaf('test/client', ['client']);
    stranger = await strangerPki.leaf('test/stranger', ['stranger']);
    backend = await startEchoBackend('echo');
    [strictPort, fallbackPort, openPort] = [await freePort(), await freePort(), await freePort()];
    plane = startDataPlane();
    await plane.applyOk(config('AllowValidOnly'));
  });

  after(async () => {
    await plane?.close();
    await backend?.close();
    for (const pki of [serverPki, clientPki, strangerPki]) await pki?.dispose();
  });

  /** The HTTP status, or the error code when the connection failed before any answer. */
  const attempt = async (port: number, client?: CertificateIR): Promise<number | string> => {
    const tls = {
      ca: serverPki.ca,
      servername: 'gw.test',
      ...(client ? { cert: client.certPem, key: client.keyPem } : {}),
    };
    try {
      return (await send(port, { host: 'gw.test', tls })).status;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code ?? 'error';
    }
  };

  it('AllowValidOnly admits a certificate from the port CA and refuses others in the handshake', async () => {
    assert.equal(await attempt(strictPort, trusted), 200);
    assert.equal(typeof (await attempt(strictPort, stranger)), 'string');
    assert.equal(typeof (await attempt(strictPort)), 'string');
  });

  it('AllowInsecureFallback admits valid, invalid and missing certificates', async () => {
    assert.equal(await attempt(fallbackPort, trusted), 200);
    assert.equal(await attempt(fallbackPort, stranger), 200);
    assert.equal(await attempt(fallbackPort), 200);
  });

  it('a port without validation admits clients without a certificate', async () => {
    assert.equal(await attempt(openPort), 200);
  });

  it('switching the mode applies to new connections without rebinding', async () => {
    await plane.applyOk(config('AllowInsecureFallback'));
    assert.equal(await attempt(strictPort), 200);
    await plane.applyOk(config('AllowValidOnly'));
    assert.equal(typeof (await attempt(strictPort)), 'string');
  });
});
