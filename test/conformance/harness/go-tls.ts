/**
 * Server-certificate name checks as Go's crypto/x509 (VerifyHostname) makes them, which the
 * upstream client relies on and Node's checkServerIdentity is stricter than: an IP name must be an
 * IP SAN; a DNS name matches a SAN case-insensitively, where a leading `*` label matches exactly
 * one label of any value (`*.org` matches `example.org`); the Common Name is never used.
 */
import { isIP } from 'node:net';
import type { PeerCertificate } from 'node:tls';

function sans(cert: PeerCertificate, kind: 'DNS' | 'IP Address'): string[] {
  return (cert.subjectaltname ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.startsWith(`${kind}:`))
    .map((entry) => entry.slice(kind.length + 1));
}

function matchesPattern(pattern: string, host: string): boolean {
  const patternLabels = pattern.toLowerCase().replace(/\.$/, '').split('.');
  const hostLabels = host.toLowerCase().replace(/\.$/, '').split('.');
  if (patternLabels.length !== hostLabels.length) return false;
  return patternLabels.every((label, i) => (i === 0 && label === '*') || label === hostLabels[i]);
}

export function checkGoServerIdentity(serverName: string, cert: PeerCertificate): Error | undefined {
  if (isIP(serverName) !== 0) {
    return sans(cert, 'IP Address').includes(serverName)
      ? undefined
      : new Error(`x509: certificate is not valid for IP ${serverName}`);
  }
  const names = sans(cert, 'DNS');
  if (names.some((pattern) => matchesPattern(pattern, serverName))) return undefined;
  return new Error(`x509: certificate is valid for ${names.join(', ')}, not ${serverName}`);
}
