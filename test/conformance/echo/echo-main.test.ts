/**
 * The echo server as a process (`node echo/main.js`), configured only by environment variables as
 * upstream's image is: ports, pod context, TLS from file paths; clean exit on SIGTERM and when
 * stdin ends (ECHO_EXIT_ON_STDIN_END); a clear refusal of the modes it does not implement.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { EchoProcess } from '../pods/pod-process.js';
import { fetchOnce } from './test-client.js';
import { makeTestPki, type TestPki } from './test-pki.js';

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

function startMain(env: Record<string, string>, expectHttps = false): Promise<EchoProcess> {
  const base = { PATH: process.env.PATH ?? '', BIND_ADDRESS: '127.0.0.1', HTTP_PORT: '0', H2C_PORT: '0' };
  return EchoProcess.start({
    command: process.execPath,
    args: [MAIN],
    env: { ...base, ...env },
    expectHttps,
  });
}

describe('echo server process', () => {
  let pki: TestPki;

  before(async () => {
    pki = await makeTestPki();
  });
  after(() => pki?.cleanup());

  it('takes its context and TLS files from the environment, and exits 0 on SIGTERM', async () => {
    const echo = await startMain(
      {
        NAMESPACE: 'gateway-conformance-infra',
        POD_NAME: 'tls-backend-5c7-q9',
        SERVICE_NAME: 'tls-backend',
        INGRESS_NAME: 'ing',
        HTTPS_PORT: '0',
        TLS_SERVER_CERT: pki.files.serverCert,
        TLS_SERVER_PRIVKEY: pki.files.serverKey,
        TLS_CLIENT_CACERTS: pki.files.clientCa,
      },
      true,
    );
    try {
      const plain = JSON.parse((await fetchOnce(`http://127.0.0.1:${echo.ports.http}/`)).body);
      assert.deepEqual(
        [plain.namespace, plain.pod, plain.service, plain.ingress, plain.httpPort],
        ['gateway-conformance-infra', 'tls-backend-5c7-q9', 'tls-backend', 'ing', '0'],
      );
      const chain = pki.clientLeaf + pki.clientIntermediate;
      const tls = { ca: pki.serverCa, cert: chain, key: pki.clientKey, servername: 'abc.example.com' };
      const secure = JSON.parse((await fetchOnce(`https://127.0.0.1:${echo.ports.https}/`, { tls })).body);
      assert.equal(secure.tls.serverName, 'abc.example.com');
      assert.deepEqual(secure.tls.peerCertificates, [pki.clientLeaf, pki.clientIntermediate]);
    } finally {
      await echo.stop();
    }
    assert.deepEqual(await echo.waitForExit(), { code: 0, signal: null });
  });

  it('exits when its stdin ends, if asked to', async () => {
    const echo = await startMain({ ECHO_EXIT_ON_STDIN_END: '1' });
    assert.ok(echo.running);
    echo.closeStdin();
    assert.deepEqual(await echo.waitForExit(), { code: 0, signal: null });
  });

  it('refuses the modes it does not implement', async () => {
    await assert.rejects(
      startMain({ GRPC_ECHO_SERVER: '1' }),
      /only the HTTP mode of echo-basic is implemented/,
    );
  });
});
