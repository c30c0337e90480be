// HTTPS listener certificateRefs → PEM key pairs. A ref must name a core Secret (group "", kind
// Secret); a cross-namespace ref needs a ReferenceGrant (checked before the Secret is looked up, so
// the status never reveals whether it exists); the Secret must be of type kubernetes.io/tls with a
// tls.crt that node:crypto parses as an X.509 certificate and a tls.key that parses as its matching
// private key. Parsing is pure computation; results are memoised by content because the same
// Secrets are re-validated on every translation.

import { Buffer } from 'node:buffer';
import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import type { CertificateIR } from '../ir/types.js';
import type { Secret } from '../resources/types.js';
import type { RefProblem } from './conditions.js';
import type { TranslateContext } from './context.js';
import { isReferenceAllowed } from './referencegrants.js';
import { asName, asRecord, asString } from './values.js';

export type CertificateProblem = RefProblem<'InvalidCertificateRef' | 'RefNotPermitted'>;

export type CertificateResult =
  | { ok: true; certificate: CertificateIR }
  | { ok: false; problem: CertificateProblem };

const TLS_SECRET_TYPE = 'kubernetes.io/tls';

export function resolveCertificateRef(
  ctx: TranslateContext,
  gatewayNamespace: string,
  ref: unknown,
): CertificateResult {
  const record = asRecord(ref);
  const name = asName(record?.name);
  if (!record || name === undefined) return invalid('A certificateRef has no name.');
  const group = asString(record.group) ?? '';
  const kind = asString(record.kind) ?? 'Secret';
  if (group !== '' || kind !== 'Secret') {
    return invalid(
      `certificateRef ${name}: group "${group}" kind "${kind}" is not supported; use a core Secret.`,
    );
  }
  const namespace = asName(record.namespace) ?? gatewayNamespace;
  const to = { group: '', kind: 'Secret', namespace, name };
  if (!isReferenceAllowed(ctx, { kind: 'Gateway', namespace: gatewayNamespace }, to)) {
    return {
      ok: false,
      problem: {
        reason: 'RefNotPermitted',
        message: `certificateRef to Secret ${namespace}/${name} is not permitted by any ReferenceGrant.`,
      },
    };
  }
  const secret = ctx.secrets.get(`${namespace}/${name}`);
  if (!secret) return invalid(`Secret ${namespace}/${name} does not exist.`);
  return readKeyPair(secret, `${namespace}/${name}`);
}

function readKeyPair(secret: Secret, key: string): CertificateResult {
  if (secret.type !== TLS_SECRET_TYPE) return invalid(`Secret ${key} is not of type ${TLS_SECRET_TYPE}.`);
  const certPem = secretValue(secret, 'tls.crt');
  const keyPem = secretValue(secret, 'tls.key');
  if (!certPem || !keyPem) return invalid(`Secret ${key} must hold both tls.crt and tls.key.`);
  const problem = validateKeyPair(certPem, keyPem);
  if (problem) return invalid(`Secret ${key}: ${problem}`);
  return { ok: true, certificate: { secret: key, certPem, keyPem } };
}

/** stringData wins over data, as the API server would merge it on write. */
function secretValue(secret: Secret, field: string): string | undefined {
  const text = asString(asRecord(secret.stringData)?.[field]);
  if (text !== undefined) return text;
  const base64 = asString(asRecord(secret.data)?.[field]);
  return base64 === undefined ? undefined : Buffer.from(base64, 'base64').toString('utf8');
}

const MAX_CACHED_PAIRS = 1024;
const validated = new Map<string, string | null>();

/** A problem description, or null when the pair is usable. */
function validateKeyPair(certPem: string, keyPem: string): string | null {
  const cacheKey = `${certPem}\u0000${keyPem}`;
  const cached = validated.get(cacheKey);
  if (cached !== undefined) return cached;
  const problem = checkKeyPair(certPem, keyPem);
  if (validated.size >= MAX_CACHED_PAIRS) validated.clear();
  validated.set(cacheKey, problem);
  return problem;
}

function checkKeyPair(certPem: string, keyPem: string): string | null {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certPem);
  } catch {
    return 'tls.crt is not a PEM-encoded X.509 certificate.';
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(keyPem);
  } catch {
    return 'tls.key is not a PEM-encoded private key.';
  }
  return keyMatches(certificate, privateKey) ? null : 'tls.key does not match the certificate in tls.crt.';
}

function keyMatches(certificate: X509Certificate, privateKey: KeyObject): boolean {
  try {
    return certificate.checkPrivateKey(privateKey);
  } catch {
    return false;
  }
}

function invalid(message: string): CertificateResult {
  return { ok: false, problem: { reason: 'InvalidCertificateRef', message } };
}
