// TLS to backends (BackendTLSPolicy): the undici connector for one TLS cluster. It always sends
// the policy's hostname as SNI (whatever Host the client asked for), trusts only the policy's CA
// bundles (or the platform roots for wellKnownCACertificates: System), and checks the backend's
// identity: against the hostname, or, when subjectAltNames are given, against any of them (DNS
// names with the usual wildcard rules, URIs exactly). The Gateway's backend client certificate,
// when it has one, is presented in the handshake. Settings are keyed by a digest so endpoints
// with identical TLS settings share their pools across applies.

import { createHash } from 'node:crypto';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { buildConnector } from 'undici';
import type { CertificateIR, UpstreamTlsIR } from '../../ir/types.js';

export interface UpstreamTls {
  /** Digest of every setting, part of the endpoint key. */
  readonly key: string;
  readonly serverName: string;
  /** False when nothing can be trusted (every CA reference was invalid): the cluster must fail. */
  readonly trusted: boolean;
  /** Connector options for undici (a connect function that pins SNI and verification). */
  readonly connect: buildConnector.connector;
}

const CONNECT_TIMEOUT_MS = 10_000;

export function upstreamTls(settings: UpstreamTlsIR, clientCertificate?: CertificateIR): UpstreamTls {
  const key = createHash('sha256')
    .update(JSON.stringify([settings, clientCertificate?.certPem ?? '', clientCertificate?.keyPem ?? '']))
    .digest('hex')
    .slice(0, 16);
  const serverName = settings.serverName;
  const base = buildConnector({
    timeout: CONNECT_TIMEOUT_MS,
    servername: serverName,
    rejectUnauthorized: true,
    ...(settings.systemRoots ? {} : { ca: settings.caCertificates }),
    ...(clientCertificate ? { cert: clientCertificate.certPem, key: clientCertificate.keyPem } : {}),
    checkServerIdentity: (_host: string, cert: PeerCertificate) => verifyIdentity(settings, cert),
  });
  // undici derives SNI from each request's Host header; the policy's hostname must win.
  const connect: buildConnector.connector = (options, callback) =>
    base({ ...options, servername: serverName }, callback);
  const trusted = settings.systemRoots || settings.caCertificates.length > 0;
  return { key, serverName, trusted, connect };
}

/** undefined when the certificate is acceptable, else the reason it is not. */
export function verifyIdentity(settings: UpstreamTlsIR, cert: PeerCertificate): Error | undefined {
  if (settings.subjectAltNames.length === 0) return checkServerIdentity(settings.serverName, cert);
  const uris = uriNames(cert);
  for (const san of settings.subjectAltNames) {
    if (san.type === 'URI' ? uris.includes(san.value) : checkServerIdentity(san.value, cert) === undefined)
      return undefined;
  }
  const wanted = settings.subjectAltNames.map((s) => s.value).join(', ');
  return new Error(`backend certificate matches none of the subjectAltNames (${wanted})`);
}

/** The URI entries of the certificate's subjectAltName extension. */
function uriNames(cert: PeerCertificate): string[] {
  return (cert.subjectaltname ?? '')
    .split(', ')
    .filter((entry) => entry.startsWith('URI:'))
    .map((entry) => entry.slice(4));
}
