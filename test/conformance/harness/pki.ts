/**
 * The Secrets and CA ConfigMaps the upstream suite makes with Go code at start-up (not in any
 * manifest; upstream makes them in conformance/utils/suite), made here with the openssl CLI in a
 * temporary directory: self-signed serving certificates for the listed hosts, and three small CAs
 * (tls-checks, tls-validity-checks and its per-port twin) each with a serving and a client
 * certificate. EC P-256 keys keep generation fast. The temp dir is removed once all are read.
 */

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AnyObject } from './kube.js';
import { APP_BACKEND_NS, INFRA_NS, WEB_BACKEND_NS } from './suite.js';

const run = promisify(execFile);
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export interface KeyPair {
  certPem: string;
  keyPem: string;
}

interface Ca extends KeyPair {
  certFile: string;
  keyFile: string;
}

class Openssl {
  private serial = 1000;
  constructor(readonly dir: string) {}

  /** A self-signed certificate whose SANs are `hosts` (IP literals as IP SANs). */
  async selfSigned(name: string, hosts: readonly string[], ca = false): Promise<Ca> {
    const certFile = join(this.dir, `${name}.crt`);
    const keyFile = join(this.dir, `${name}.key`);
    const extensions = ca
      ? ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']
      : ['-addext', `subjectAltName=${sanList(hosts)}`];
    const subject = `/O=gateway-conformance/CN=${hosts[0] ?? name}`;
    await run('openssl', [
      'req',
      '-x509',
      ...EC_KEY,
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      subject,
      ...extensions,
    ]);
    return { certFile, keyFile, ...(await this.readPair(certFile, keyFile)) };
  }

  /** A certificate for `hosts` signed by `ca`, for serving or (with `client`) for client auth. */
  async signed(name: string, ca: Ca, hosts: readonly string[], client = false): Promise<KeyPair> {
    const base = join(this.dir, name);
    const usage = client ? 'clientAuth' : 'serverAuth';
    await writeFile(`${base}.ext`, `subjectAltName=${sanList(hosts)}\nextendedKeyUsage=${usage}\n`);
    await run('openssl', [
      'req',
      ...EC_KEY,
      '-keyout',
      `${base}.key`,
      '-out',
      `${base}.csr`,
      '-subj',
      `/CN=${hosts[0]}`,
    ]);
    await run('openssl', [
      'x509',
      '-req',
      '-in',
      `${base}.csr`,
      '-CA',
      ca.certFile,
      '-CAkey',
      ca.keyFile,
      '-set_serial',
      String(this.serial++),
      '-days',
      '2',
      '-out',
      `${base}.crt`,
      '-extfile',
      `${base}.ext`,
    ]);
    return this.readPair(`${base}.crt`, `${base}.key`);
  }

  private async readPair(certFile: string, keyFile: string): Promise<KeyPair> {
    return { certPem: await readFile(certFile, 'utf8'), keyPem: await readFile(keyFile, 'utf8') };
  }
}

/** IP literals become IP SANs, `scheme://…` URI SANs (SPIFFE IDs), anything else DNS SANs. */
function sanList(hosts: readonly string[]): string {
  const san = (h: string) =>
    /^[a-z][a-z0-9+.-]*:\/\//i.test(h) ? `URI:${h}` : /^[\d.]+$|:/.test(h) ? `IP:${h}` : `DNS:${h}`;
  return hosts.map(san).join(',');
}

export function tlsSecret(namespace: string, name: string, pair: KeyPair): AnyObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace },
    type: 'kubernetes.io/tls',
    data: {
      'tls.crt': Buffer.from(pair.certPem).toString('base64'),
      'tls.key': Buffer.from(pair.keyPem).toString('base64'),
    },
  } as AnyObject;
}

export function caConfigMap(namespace: string, name: string, certPem: string): AnyObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data: { 'ca.crt': certPem } };
}

export interface SuitePki {
  /** The Secrets and ConfigMaps to create before the tests, in the base namespaces. */
  objects: AnyObject[];
  /** Key pairs by `<namespace>/<name>`, for the cases that present or trust them. */
  pairs: Map<string, KeyPair>;
}

/** Makes every programmatic Secret and ConfigMap of the upstream suite. */
export async function createSuitePki(): Promise<SuitePki> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-conformance-pki-'));
  const ssl = new Openssl(dir);
  const objects: AnyObject[] = [];
  const pairs = new Map<string, KeyPair>();
  const secret = (namespace: string, name: string, pair: KeyPair) => {
    pairs.set(`${namespace}/${name}`, pair);
    objects.push(tlsSecret(namespace, name, pair));
  };
  try {
    secret(WEB_BACKEND_NS, 'certificate', await ssl.selfSigned('certificate', ['*']));
    secret(
      INFRA_NS,
      'tls-validity-checks-certificate',
      await ssl.selfSigned('validity', ['*', '*.org', '*.wildcard.org']),
    );
    const passthrough = await ssl.selfSigned('passthrough', ['abc.example.com']);
    secret(INFRA_NS, 'tls-passthrough-checks-certificate', passthrough);
    secret(APP_BACKEND_NS, 'tls-passthrough-checks-certificate', passthrough);
    secret(
      INFRA_NS,
      'tls-terminate-checks-certificate',
      await ssl.selfSigned('terminate', ['tls.example.com']),
    );

    const checksCa = await ssl.selfSigned('checks-ca', ['tls-checks-ca'], true);
    objects.push(caConfigMap(INFRA_NS, 'tls-checks-ca-certificate', checksCa.certPem));
    // other.example.com and the SPIFFE ID: BackendTLSPolicy conflict and SAN cases verify them.
    const checksNames = ['abc.example.com', 'other.example.com', 'spiffe://abc.example.com/test-identity'];
    secret(INFRA_NS, 'tls-checks-certificate', await ssl.signed('checks', checksCa, checksNames));
    secret(
      INFRA_NS,
      'tls-checks-client-certificate',
      await ssl.signed('checks-client', checksCa, ['client'], true),
    );

    for (const prefix of ['tls-validity-checks', 'tls-validity-checks-per-port']) {
      const ca = await ssl.selfSigned(`${prefix}-ca`, [`${prefix}-ca`], true);
      objects.push(caConfigMap(INFRA_NS, `${prefix}-ca-certificate`, ca.certPem));
      secret(
        INFRA_NS,
        `${prefix}-client-certificate`,
        await ssl.signed(`${prefix}-client`, ca, ['client'], true),
      );
    }
    const webCa = await ssl.selfSigned('web-backend-ca', ['web-backend-ca'], true);
    objects.push(caConfigMap(WEB_BACKEND_NS, 'web-backend-cm', webCa.certPem));
    const mismatchCa = await ssl.selfSigned('mismatch-ca', ['mismatch-ca'], true);
    objects.push(caConfigMap(INFRA_NS, 'mismatch-ca-certificate', mismatchCa.certPem));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return { objects, pairs };
}
