// Gateway listeners: protocol support, TLS certificates, allowed route kinds and namespaces,
// conflicts between listeners, and the listener status. HTTP and HTTPS (TLS mode Terminate) are
// supported; any other protocol is Accepted=False/UnsupportedProtocol and takes no part in
// conflict detection (the spec's rule for protocols an implementation does not support).
// Conflicts follow "Handling indistinct Listeners" in apis/v1/gateway_types.go: every listener of a
// conflicting set is rejected, none is picked as the winner.

import type { CertificateIR, ClientValidationIR } from '../ir/types.js';
import { GATEWAY_GROUP } from '../resources/kinds.js';
import type { Condition, ListenerStatus, RouteGroupKind } from '../resources/types.js';
import type { RouteAttachment } from './attachment.js';
import { type CertificateProblem, resolveCertificateRef } from './certificates.js';
import {
  condition,
  type ListenerReason,
  type RefProblem,
  resolvedRefsVerdict,
  type Verdict,
  verdictCondition,
} from './conditions.js';
import { labelsOfNamespace, type TranslateContext } from './context.js';
import { hostnamesOverlap } from './hostnames.js';
import { matchesLabelSelector } from './labelselector.js';
import { asArray, asInteger, asName, asRecord, asString, groupBy } from './values.js';

export interface ListenerState {
  readonly name: string;
  readonly port: number;
  readonly protocol: string;
  readonly hostname: string | null;
  readonly supportedKinds: RouteGroupKind[];
  readonly namespacesFrom: string;
  readonly namespaceSelector: unknown;
  accepted: Verdict<ListenerReason>;
  /** Set when the listener belongs to an indistinct set (HostnameConflict or ProtocolConflict). */
  conflict?: ListenerReason;
  overlappingTls: boolean;
  readonly certificates: CertificateIR[];
  readonly certificateProblems: CertificateProblem[];
  readonly kindProblems: RefProblem<ListenerReason>[];
  /** HTTPS: client certificate validation (spec.tls.frontend), set by gateway-tls.ts. */
  clientValidation?: ClientValidationIR;
  /** Invalid CA references of that validation. */
  readonly validationProblems: RefProblem<ListenerReason>[];
  /** Accepted routes, keyed by route `namespace/name`; their count is attachedRoutes. */
  readonly attachments: Map<string, RouteAttachment>;
}

const SUPPORTED_PROTOCOLS = new Set(['HTTP', 'HTTPS']);
const HTTP_ROUTE_KIND: RouteGroupKind = { group: GATEWAY_GROUP, kind: 'HTTPRoute' };

export function buildListeners(
  ctx: TranslateContext,
  gatewayNamespace: string,
  specs: unknown,
): ListenerState[] {
  const listeners = asArray(specs).map((spec) => buildListener(ctx, gatewayNamespace, asRecord(spec) ?? {}));
  markConflicts(listeners);
  markOverlappingTls(listeners);
  return listeners;
}

function buildListener(
  ctx: TranslateContext,
  gatewayNamespace: string,
  spec: Record<string, unknown>,
): ListenerState {
  const protocol = asString(spec.protocol) ?? '';
  const port = asInteger(spec.port) ?? 0;
  const supported = SUPPORTED_PROTOCOLS.has(protocol);
  const allowedRoutes = asRecord(spec.allowedRoutes);
  const namespaces = asRecord(allowedRoutes?.namespaces);
  const kinds = supported ? resolveRouteKinds(allowedRoutes?.kinds) : { supported: [], problems: [] };
  const tls = protocol === 'HTTPS' ? resolveTls(ctx, gatewayNamespace, asRecord(spec.tls)) : undefined;
  return {
    name: asString(spec.name) ?? '',
    port,
    protocol,
    hostname: asName(spec.hostname)?.toLowerCase() ?? null,
    supportedKinds: kinds.supported,
    namespacesFrom: asString(namespaces?.from) ?? 'Same',
    namespaceSelector: namespaces?.selector,
    accepted: acceptance(protocol, port, tls?.modeProblem),
    overlappingTls: false,
    certificates: tls?.certificates ?? [],
    certificateProblems: tls?.problems ?? [],
    kindProblems: kinds.problems,
    validationProblems: [],
    attachments: new Map(),
  };
}

function acceptance(protocol: string, port: number, modeProblem?: string): Verdict<ListenerReason> {
  if (!SUPPORTED_PROTOCOLS.has(protocol)) {
    return { ok: false, reason: 'UnsupportedProtocol', message: `Protocol "${protocol}" is not supported.` };
  }
  if (port < 1 || port > 65535) {
    return { ok: false, reason: 'UnsupportedValue', message: 'Port must be a number from 1 to 65535.' };
  }
  if (modeProblem) return { ok: false, reason: 'UnsupportedValue', message: modeProblem };
  return { ok: true, reason: 'Accepted', message: 'Listener is accepted.' };
}

/** allowedRoutes.kinds: only HTTPRoute is supported; an empty list means "the protocol's default". */
function resolveRouteKinds(kinds: unknown): {
  supported: RouteGroupKind[];
  problems: RefProblem<ListenerReason>[];
} {
  const entries = asArray(kinds);
  if (entries.length === 0) return { supported: [HTTP_ROUTE_KIND], problems: [] };
  const supported: RouteGroupKind[] = [];
  const problems: RefProblem<ListenerReason>[] = [];
  for (const entry of entries) {
    const record = asRecord(entry);
    const group = asString(record?.group) ?? GATEWAY_GROUP;
    const kind = asString(record?.kind) ?? '';
    if (group === GATEWAY_GROUP && kind === 'HTTPRoute') {
      if (supported.length === 0) supported.push(HTTP_ROUTE_KIND);
    } else {
      problems.push({
        reason: 'InvalidRouteKinds',
        message: `Route kind ${group}/${kind} is not supported.`,
      });
    }
  }
  return { supported, problems };
}

function resolveTls(
  ctx: TranslateContext,
  gatewayNamespace: string,
  tls: Record<string, unknown> | undefined,
) {
  const mode = asString(tls?.mode) ?? 'Terminate';
  const certificates: CertificateIR[] = [];
  const problems: CertificateProblem[] = [];
  if (mode !== 'Terminate') {
    return { certificates, problems, modeProblem: `TLS mode "${mode}" is not supported on HTTPS listeners.` };
  }
  const refs = asArray(tls?.certificateRefs);
  if (refs.length === 0) {
    problems.push({
      reason: 'InvalidCertificateRef',
      message: 'An HTTPS listener needs at least one certificateRef.',
    });
  }
  for (const ref of refs) {
    const result = resolveCertificateRef(ctx, gatewayNamespace, ref);
    if (result.ok) certificates.push(result.certificate);
    else problems.push(result.problem);
  }
  return { certificates, problems, modeProblem: undefined };
}

/**
 * Same port with different protocols → ProtocolConflict for every listener on the port; otherwise
 * same port and hostname → HostnameConflict for each listener of the pair.
 */
function markConflicts(listeners: ListenerState[]): void {
  const byPort = groupBy(
    listeners.filter((l) => l.accepted.ok),
    (l) => l.port,
  );
  for (const [port, group] of byPort) {
    if (new Set(group.map((l) => l.protocol)).size > 1) {
      for (const listener of group)
        conflict(listener, 'ProtocolConflict', `Port ${port} is used by HTTP and HTTPS.`);
      continue;
    }
    for (const [hostname, same] of groupBy(group, (l) => l.hostname ?? '')) {
      if (same.length < 2) continue;
      const what = hostname === '' ? 'no hostname' : `hostname "${hostname}"`;
      const message = `More than one listener on port ${port} has ${what}.`;
      for (const listener of same) conflict(listener, 'HostnameConflict', message);
    }
  }
}

function conflict(listener: ListenerState, reason: ListenerReason, message: string): void {
  listener.conflict = reason;
  listener.accepted = { ok: false, reason, message };
}

/** OverlappingTLSConfig: HTTPS listeners on one port whose hostnames some host matches twice. */
function markOverlappingTls(listeners: ListenerState[]): void {
  const https = listeners.filter((l) => l.protocol === 'HTTPS' && l.accepted.ok);
  for (const a of https) {
    a.overlappingTls = https.some(
      (b) => b !== a && b.port === a.port && hostnamesOverlap(a.hostname, b.hostname),
    );
  }
}

/** Whether routes of `routeNamespace` may attach, per allowedRoutes.namespaces. */
export function allowsNamespace(
  ctx: TranslateContext,
  listener: ListenerState,
  gatewayNamespace: string,
  routeNamespace: string,
): boolean {
  switch (listener.namespacesFrom) {
    case 'All':
      return true;
    case 'Same':
      return routeNamespace === gatewayNamespace;
    case 'Selector':
      return matchesLabelSelector(listener.namespaceSelector, labelsOfNamespace(ctx, routeNamespace));
    default:
      return false;
  }
}

export function allowsHTTPRoute(listener: ListenerState): boolean {
  return listener.accepted.ok && listener.supportedKinds.length > 0;
}

/** Programmed: accepted, every certificate usable, and the Gateway itself accepted. */
export function isProgrammed(listener: ListenerState, gatewayAccepted: boolean): boolean {
  return gatewayAccepted && listener.accepted.ok && listener.certificateProblems.length === 0;
}

export function listenerStatus(
  listener: ListenerState,
  generation: number,
  gatewayAccepted: boolean,
): ListenerStatus {
  return {
    name: listener.name,
    supportedKinds: listener.supportedKinds.map((kind) => ({ ...kind })),
    attachedRoutes: listener.attachments.size,
    conditions: listenerConditions(listener, generation, gatewayAccepted),
  };
}

function listenerConditions(
  listener: ListenerState,
  generation: number,
  gatewayAccepted: boolean,
): Condition[] {
  const resolved = resolvedRefsVerdict<ListenerReason>(
    [...listener.certificateProblems, ...listener.kindProblems, ...listener.validationProblems],
    'All references are resolved.',
  );
  const conditions = [
    verdictCondition('Accepted', listener.accepted, generation),
    verdictCondition('Programmed', programmedVerdict(listener, gatewayAccepted), generation),
    verdictCondition('ResolvedRefs', resolved, generation),
    listener.conflict
      ? condition('Conflicted', true, listener.conflict, listener.accepted.message, generation)
      : condition('Conflicted', false, 'NoConflicts', 'No conflicts.', generation),
  ];
  if (listener.overlappingTls) {
    const message = 'Another HTTPS listener on this port serves an overlapping hostname.';
    conditions.push(condition('OverlappingTLSConfig', true, 'OverlappingHostnames', message, generation));
  }
  return conditions;
}

function programmedVerdict(listener: ListenerState, gatewayAccepted: boolean): Verdict<ListenerReason> {
  if (isProgrammed(listener, gatewayAccepted)) {
    return { ok: true, reason: 'Programmed', message: 'Listener is programmed.' };
  }
  if (listener.conflict) return { ok: false, reason: listener.conflict, message: listener.accepted.message };
  const why = !listener.accepted.ok
    ? 'the listener is not accepted'
    : listener.certificateProblems.length > 0
      ? 'its certificates are invalid'
      : 'the Gateway is not accepted';
  return { ok: false, reason: 'Invalid', message: `Listener is not programmed: ${why}.` };
}
