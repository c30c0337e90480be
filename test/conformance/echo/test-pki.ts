/**
 * Test certificates made with the `openssl` CLI in a temporary directory: a server CA and a
 * server certificate for `localhost`, `abc.example.com` and 127.0.0.1, a client chain (root CA → intermediate → client
 * leaf) for client-certificate checks, and an unrelated self-signed client certificate that no
 * server trusts. EC P-256 keys keep generation fast. Nothing is written outside the temp dir.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestPki {
  dir: string;
  serverCa: string;
  serverCert: string;
  serverKey: string;
  /** Root CA of the client chain: what a server is told to trust. */
  clientCa: string;
  clientIntermediate: string;
  clientLeaf: string;
  clientKey: string;
  /** Self-signed, trusted by nobody. */
  strangerCert: string;
  strangerKey: string;
  /** File paths of the same PEMs, for processes configured by environment. */
  files: { serverCert: string; serverKey: string; clientCa: string };
  cleanup(): Promise<void>;
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function selfSigned(dir: string, name: string, subject: string, extensions: string): Promise<void> {
  await writeFile(join(dir, `${name}.ext`), extensions);
  await run('openssl', [
    'req',
    '-x509',
    ...EC_KEY,
    '-days',
    '1',
    '-subj',
    subject,
    '-keyout',
    join(dir, `${name}.key`),
    '-out',
    join(dir, `${name}.crt`),
    '-extensions',
    'v3',
    '-config',
    join(dir, `${name}.ext`),
  ]);
}

async function signed(
  dir: string,
  name: string,
  issuer: string,
  subject: string,
  extensions: string,
): Promise<void> {
  await writeFile(join(dir, `${name}.ext`), extensions);
  await run('openssl', [
    'req',
    ...EC_KEY,
    '-subj',
    subject,
    '-keyout',
    join(dir, `${name}.key`),
    '-out',
    join(dir, `${name}.csr`),
  ]);
  await run('openssl', [
    'x509',
    '-req',
    '-days',
    '1',
    '-in',
    join(dir, `${name}.csr`),
    '-CA',
    join(dir, `${issuer}.crt`),
    '-CAkey',
    join(dir, `${issuer}.key`),
    '-CAcreateserial',
    '-extfile',
    join(dir, `${name}.ext`),
    '-out',
    join(dir, `${name}.crt`),
  ]);
}

const CA_CONFIG =
  '[req]\ndistinguished_name=dn\n[dn]\n[v3]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=keyCertSign,cRLSign\n';
const LEAF_CONFIG =
  '[req]\ndistinguished_name=dn\n[dn]\n[v3]\nbasicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n';

export async function makeTestPki(): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'echo-pki-'));
  await Promise.all([
    selfSigned(dir, 'server-ca', '/CN=echo-test-server-ca', CA_CONFIG),
    selfSigned(dir, 'client-ca', '/CN=echo-test-client-ca', CA_CONFIG),
    selfSigned(dir, 'stranger', '/CN=stranger', LEAF_CONFIG),
  ]);
  await Promise.all([
    signed(
      dir,
      'server',
      'server-ca',
      '/CN=localhost',
      'subjectAltName=DNS:localhost,DNS:abc.example.com,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n',
    ),
    signed(
      dir,
      'client-int',
      'client-ca',
      '/CN=echo-test-client-intermediate',
      'basicConstraints=critical,CA:TRUE\nkeyUsage=keyCertSign,cRLSign\n',
    ),
  ]);
  await signed(dir, 'client', 'client-int', '/CN=tls-checks-client', 'extendedKeyUsage=clientAuth\n');
  const pem = (name: string) => readFile(join(dir, name), 'utf8');
  return {
    dir,
    serverCa: await pem('server-ca.crt'),
    serverCert: await pem('server.crt'),
    serverKey: await pem('server.key'),
    clientCa: await pem('client-ca.crt'),
    clientIntermediate: await pem('client-int.crt'),
    clientLeaf: await pem('client.crt'),
    clientKey: await pem('client.key'),
    strangerCert: await pem('stranger.crt'),
    strangerKey: await pem('stranger.key'),
    files: {
      serverCert: join(dir, 'server.crt'),
      serverKey: join(dir, 'server.key'),
      clientCa: join(dir, 'client-ca.crt'),
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
