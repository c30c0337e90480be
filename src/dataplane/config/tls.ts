// TLS material of HTTPS listeners: each listener's certificates (CertificateIR PEM) become one
// SecureContext offered by SNI, holding also the port's client-certificate CAs when the Gateway
// validates client certificates (spec.tls.frontend). Contexts are cached by content across applies, so an unchanged
// certificate costs nothing and a renewed one takes effect for new handshakes. A certificate that
// does not load is logged and skipped; it never fails the apply.

import { createHash } from 'node:crypto';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { Logger } from 'pino';
import type { CertificateIR } from '../../ir/types.js';

/** A listener's usable certificates: the context for SNI, and the PEM for a server default. */
export interface TlsIdentity {
  /** Content hash: equal ids mean identical certificates. */
  readonly id: string;
  readonly context: SecureContext;
  readonly cert: string[];
  readonly key: string[];
  /** CAs that client certificates must chain to (frontend validation); undefined when none. */
  readonly ca: string[] | undefined;
}

export class CertificateStore {
  private cache = new Map<string, TlsIdentity>();
  private next = new Map<string, TlsIdentity>();

  constructor(private readonly logger: Logger) {}

  /** Starts an apply: identities not requested again by `commit` are forgotten. */
  begin(): void {
    this.next = new Map();
  }

  commit(): void {
    this.cache = this.next;
  }

  /** The identity for a listener's certificates, or undefined when none of them loads. */
  identity(
    listener: string,
    certificates: readonly CertificateIR[] | undefined,
    clientCa?: readonly string[],
  ): TlsIdentity | undefined {
    const usable = (certificates ?? []).filter((c) => this.loads(listener, c));
    if (usable.length === 0) return undefined;
    const ca = clientCa && clientCa.length > 0 ? [...clientCa] : undefined;
    const id = hash(usable, ca);
    let identity = this.next.get(id) ?? this.cache.get(id);
    if (identity === undefined) {
      const cert = usable.map((c) => c.certPem);
      const key = usable.map((c) => c.keyPem);
      identity = { id, context: createSecureContext({ cert, key, ...(ca ? { ca } : {}) }), cert, key, ca };
    }
    this.next.set(id, identity);
    return identity;
  }

  private loads(listener: string, certificate: CertificateIR): boolean {
    const id = hash([certificate]);
    const known = this.next.get(id) ?? this.cache.get(id);
    if (known !== undefined) {
      this.next.set(id, known);
      return true;
    }
    try {
      const identity = {
        id,
        context: createSecureContext({ cert: certificate.certPem, key: certificate.keyPem }),
        cert: [certificate.certPem],
        key: [certificate.keyPem],
        ca: undefined,
      };
      this.next.set(id, identity);
      return true;
    } catch (err) {
      this.logger.error(
        { kind: 'Secret', resource: certificate.secret, listener, err: (err as Error).message },
        'skipping a certificate that does not load',
      );
      return false;
    }
  }
}

function hash(certificates: readonly CertificateIR[], ca?: readonly string[]): string {
  const digest = createHash('sha256');
  for (const c of certificates) digest.update(c.certPem).update('\0').update(c.keyPem).update('\0');
  for (const pem of ca ?? []) digest.update('ca\0').update(pem).update('\0');
  return digest.digest('base64url');
}
