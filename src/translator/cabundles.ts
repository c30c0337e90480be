// CA certificate references → PEM bundles. BackendTLSPolicy validation and Gateway frontend
// client-certificate validation both name ConfigMaps holding a `ca.crt` key. A reference must be
// a core ConfigMap; a cross-namespace one needs a ReferenceGrant (checked before the ConfigMap is
// looked up, so the status never reveals whether it exists); the bundle must contain at least one
// PEM certificate that node:crypto parses. Results are memoised by content, as certificates.ts
// does, because the same ConfigMaps are re-validated on every translation.

import { X509Certificate } from 'node:crypto';
import type { TranslateContext } from './context.js';
import { isReferenceAllowed, type ReferenceFrom } from './referencegrants.js';
import { asName, asRecord, asString } from './values.js';

/** `kind`: not a core ConfigMap; `notPermitted`: no ReferenceGrant; `invalid`: missing or unusable. */
export type CaRefFailure = 'kind' | 'notPermitted' | 'invalid';

export type CaRefResult = { ok: true; pem: string } | { ok: false; failure: CaRefFailure; message: string };

const CA_KEY = 'ca.crt';
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export function resolveCaCertificateRef(
  ctx: TranslateContext,
  from: ReferenceFrom,
  ref: unknown,
): CaRefResult {
  const record = asRecord(ref);
  const name = asName(record?.name);
  if (!record || name === undefined) return fail('invalid', 'A caCertificateRef has no name.');
  const group = asString(record.group) ?? '';
  const kind = asString(record.kind) ?? '';
  if (group !== '' || kind !== 'ConfigMap') {
    return fail(
      'kind',
      `caCertificateRef ${name}: group "${group}" kind "${kind}" is not supported; use a ConfigMap.`,
    );
  }
  const namespace = asName(record.namespace) ?? from.namespace;
  const target = `${namespace}/${name}`;
  if (!isReferenceAllowed(ctx, from, { group: '', kind: 'ConfigMap', namespace, name })) {
    return fail(
      'notPermitted',
      `caCertificateRef to ConfigMap ${target} is not permitted by any ReferenceGrant.`,
    );
  }
  const configMap = ctx.configMaps.get(target);
  if (!configMap) return fail('invalid', `ConfigMap ${target} does not exist.`);
  const pem = asString(asRecord(configMap.data)?.[CA_KEY]);
  if (pem === undefined || pem.trim() === '') return fail('invalid', `ConfigMap ${target} has no ${CA_KEY}.`);
  if (!isCertificateBundle(pem)) {
    return fail('invalid', `ConfigMap ${target}: ${CA_KEY} holds no PEM-encoded X.509 certificate.`);
  }
  return { ok: true, pem };
}

const MAX_CACHED_BUNDLES = 1024;
const checked = new Map<string, boolean>();

/** At least one PEM certificate, and every PEM certificate block parses. */
export function isCertificateBundle(pem: string): boolean {
  const cached = checked.get(pem);
  if (cached !== undefined) return cached;
  const blocks = pem.match(PEM_BLOCK) ?? [];
  const ok = blocks.length > 0 && blocks.every(parses);
  if (checked.size >= MAX_CACHED_BUNDLES) checked.clear();
  checked.set(pem, ok);
  return ok;
}

function parses(block: string): boolean {
  try {
    new X509Certificate(block);
    return true;
  } catch {
    return false;
  }
}

function fail(failure: CaRefFailure, message: string): CaRefResult {
  return { ok: false, failure, message };
}
