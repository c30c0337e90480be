// Test certificates made with the openssl CLI at run time (nothing is committed): a throwaway
// certificate authority and a server certificate it signs for 127.0.0.1 and localhost, so a
// test can prove a client verifies the API server's certificate against the CA it was given.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CertificateAuthority {
  certPem: string;
  keyPem: string;
}

export interface ServerCertificate {
  ca: CertificateAuthority;
  certPem: string;
  keyPem: string;
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function inTempDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'apiserver-tls-'));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function createCertificateAuthority(
  commonName = 'apiserver-double-ca',
): Promise<CertificateAuthority> {
  return inTempDir(async (dir) => {
    const [key, cert] = [join(dir, 'ca.key'), join(dir, 'ca.crt')];
    await run('openssl', [
      'req',
      '-x509',
      ...EC_KEY,
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      `/CN=${commonName}`,
    ]);
    return { certPem: await readFile(cert, 'utf8'), keyPem: await readFile(key, 'utf8') };
  });
}

/** A server certificate for 127.0.0.1/localhost, signed by a new CA (or by `ca`). */
export async function createServerCertificate(ca?: CertificateAuthority): Promise<ServerCertificate> {
  const authority = ca ?? (await createCertificateAuthority());
  return inTempDir(async (dir) => {
    const file = (name: string) => join(dir, name);
    await writeFile(file('ca.crt'), authority.certPem);
    await writeFile(file('ca.key'), authority.keyPem);
    const extensions = [
      'basicConstraints=CA:FALSE',
      'keyUsage=digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ];
    await writeFile(file('ext.cnf'), `${extensions.join('\n')}\n`);
    await run('openssl', [
      'req',
      ...EC_KEY,
      '-keyout',
      file('tls.key'),
      '-out',
      file('tls.csr'),
      '-subj',
      '/CN=kube-apiserver',
    ]);
    await run('openssl', [
      'x509',
      '-req',
      '-in',
      file('tls.csr'),
      '-CA',
      file('ca.crt'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-out',
      file('tls.crt'),
      '-days',
      '1',
      '-extfile',
      file('ext.cnf'),
    ]);
    return {
      ca: authority,
      certPem: await readFile(file('tls.crt'), 'utf8'),
      keyPem: await readFile(file('tls.key'), 'utf8'),
    };
  });
}
