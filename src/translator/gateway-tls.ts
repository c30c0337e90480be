// Gateway spec.tls: the client certificate the Gateway presents to TLS backends (tls.backend) and
// the validation of client certificates on HTTPS listeners (tls.frontend, a default and per-port
// overrides). A bad backend clientCertificateRef makes the Gateway ResolvedRefs=False
// (InvalidClientCertificateRef, or RefNotPermitted without a ReferenceGrant) and no certificate is
// presented; the Gateway stays Accepted. A frontend validation whose CA references are all invalid
// makes every HTTPS listener it covers Accepted=False/NoValidCACertificate (so not programmed, and
// its port refuses connections); ResolvedRefs=False names each bad reference. AllowInsecureFallback
// is reported on the Gateway as InsecureFrontendValidationMode=True.

import type { CertificateIR, ClientValidationIR } from '../ir/types.js';
import type { Condition } from '../resources/types.js';
import { resolveCaCertificateRef } from './cabundles.js';
import { resolveCertificateRef } from './certificates.js';
import { condition, type ListenerReason, type RefProblem } from './conditions.js';
import type { TranslateContext } from './context.js';
import type { ListenerState } from './listeners.js';
import { asArray, asInteger, asRecord, asString } from './values.js';

export type GatewayResolvedRefsReason = 'ResolvedRefs' | 'InvalidClientCertificateRef' | 'RefNotPermitted';

export interface GatewayTlsState {
  /** The certificate presented to TLS backends, when the reference resolves. */
  readonly backendClientCertificate: CertificateIR | undefined;
  /** Gateway-level conditions (only when spec.tls asks for something). */
  readonly conditions: (generation: number) => Condition[];
}

interface FrontendValidation {
  readonly config: ClientValidationIR;
  readonly problems: RefProblem<ListenerReason>[];
}

export function resolveGatewayTls(
  ctx: TranslateContext,
  namespace: string,
  tls: unknown,
  listeners: ListenerState[],
): GatewayTlsState {
  const spec = asRecord(tls);
  const backend = resolveBackendCertificate(ctx, namespace, asRecord(spec?.backend)?.clientCertificateRef);
  const validationFor = readFrontend(ctx, namespace, asRecord(spec?.frontend));
  let insecure = false;
  for (const listener of listeners) {
    const validation = listener.protocol === 'HTTPS' ? validationFor(listener.port) : undefined;
    if (validation === undefined) continue;
    applyValidation(listener, validation);
    insecure ||= validation.config.mode === 'AllowInsecureFallback';
  }
  return {
    backendClientCertificate: backend?.certificate,
    conditions: (generation) => {
      const out: Condition[] = [];
      if (backend) {
        const { ok, reason, message } = backend.verdict;
        out.push(condition('ResolvedRefs', ok, reason, message, generation));
      }
      if (insecure) {
        const message =
          'Some HTTPS listeners admit clients without a valid certificate (AllowInsecureFallback).';
        out.push(
          condition('InsecureFrontendValidationMode', true, 'ConfigurationChanged', message, generation),
        );
      }
      return out;
    },
  };
}

/** The validation that covers a port: its perPort entry if it has one, else the default. */
function readFrontend(
  ctx: TranslateContext,
  namespace: string,
  frontend: Record<string, unknown> | undefined,
): (port: number) => FrontendValidation | undefined {
  const byDefault = readValidation(ctx, namespace, asRecord(frontend?.default)?.validation);
  const perPort = new Map<number, FrontendValidation | undefined>();
  for (const entry of asArray(frontend?.perPort)) {
    const record = asRecord(entry);
    const port = asInteger(record?.port);
    if (port !== undefined)
      perPort.set(port, readValidation(ctx, namespace, asRecord(record?.tls)?.validation));
  }
  return (port) => (perPort.has(port) ? perPort.get(port) : byDefault);
}

function resolveBackendCertificate(ctx: TranslateContext, namespace: string, ref: unknown) {
  if (ref === undefined || ref === null) return undefined;
  const result = resolveCertificateRef(ctx, namespace, ref);
  if (result.ok) {
    const verdict = {
      ok: true,
      reason: 'ResolvedRefs' as GatewayResolvedRefsReason,
      message: 'All references are resolved.',
    };
    return { certificate: result.certificate, verdict };
  }
  const reason: GatewayResolvedRefsReason =
    result.problem.reason === 'RefNotPermitted' ? 'RefNotPermitted' : 'InvalidClientCertificateRef';
  return {
    certificate: undefined,
    verdict: { ok: false, reason, message: `clientCertificateRef: ${result.problem.message}` },
  };
}

function readValidation(
  ctx: TranslateContext,
  namespace: string,
  validation: unknown,
): FrontendValidation | undefined {
  const record = asRecord(validation);
  if (!record) return undefined;
  const caCertificates: string[] = [];
  const problems: RefProblem<ListenerReason>[] = [];
  for (const ref of asArray(record.caCertificateRefs)) {
    const result = resolveCaCertificateRef(ctx, { kind: 'Gateway', namespace }, ref);
    if (result.ok) caCertificates.push(result.pem);
    else problems.push({ reason: FAILURE_REASONS[result.failure], message: result.message });
  }
  const mode = asString(record.mode) === 'AllowInsecureFallback' ? 'AllowInsecureFallback' : 'AllowValidOnly';
  return { config: { caCertificates, mode }, problems };
}

const FAILURE_REASONS = {
  kind: 'InvalidCACertificateKind',
  notPermitted: 'RefNotPermitted',
  invalid: 'InvalidCACertificateRef',
} as const satisfies Record<string, ListenerReason>;

function applyValidation(listener: ListenerState, validation: FrontendValidation): void {
  listener.validationProblems.push(...validation.problems);
  if (validation.config.caCertificates.length > 0) {
    listener.clientValidation = validation.config;
  } else if (listener.accepted.ok) {
    listener.accepted = {
      ok: false,
      reason: 'NoValidCACertificate',
      message: 'No caCertificateRef of the client certificate validation is valid.',
    };
  }
}
