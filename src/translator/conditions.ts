// Condition types, reasons and builders. Reasons are the string constants of Gateway API v1.6.1
// (apis/v1/gatewayclass_types.go, gateway_types.go, shared_types.go), written as string-literal
// unions so a misspelt reason fails to compile. Every condition carries observedGeneration and no
// lastTransitionTime: the status writers add timestamps when they merge with the stored status.

import type { Condition } from '../resources/types.js';

export type GatewayClassReason = 'Accepted' | 'InvalidParameters';

export type GatewayReason =
  | 'Accepted'
  | 'ListenersNotValid'
  | 'InvalidParameters'
  | 'UnsupportedAddress'
  | 'Programmed'
  | 'Invalid';

export type ListenerReason =
  | 'Accepted'
  | 'UnsupportedProtocol'
  | 'UnsupportedValue'
  | 'HostnameConflict'
  | 'ProtocolConflict'
  | 'NoConflicts'
  | 'Programmed'
  | 'Invalid'
  | 'ResolvedRefs'
  | 'InvalidCertificateRef'
  | 'InvalidRouteKinds'
  | 'RefNotPermitted'
  | 'OverlappingHostnames'
  | 'InvalidCACertificateRef'
  | 'InvalidCACertificateKind'
  | 'NoValidCACertificate';

export type RouteAcceptedReason =
  | 'Accepted'
  | 'NotAllowedByListeners'
  | 'NoMatchingListenerHostname'
  | 'NoMatchingParent'
  | 'UnsupportedValue'
  | 'IncompatibleFilters';

export type RouteResolvedRefsReason =
  | 'ResolvedRefs'
  | 'RefNotPermitted'
  | 'InvalidKind'
  | 'BackendNotFound'
  | 'UnsupportedProtocol';

export type PolicyAcceptedReason =
  | 'Accepted'
  | 'Conflicted'
  | 'Invalid'
  | 'TargetNotFound'
  | 'NoValidCACertificate';

export type PolicyResolvedRefsReason = 'ResolvedRefs' | 'InvalidCACertificateRef' | 'InvalidKind';

/** Why a rule was dropped (RouteConditionPartiallyInvalid, "Drop Rule(s)" approach). */
export type RuleInvalidReason = 'UnsupportedValue' | 'IncompatibleFilters';

/** An outcome with the reason and message a condition will carry. */
export interface Verdict<R extends string> {
  ok: boolean;
  reason: R;
  message: string;
}

/** A problem found with one reference, in spec order, reported on a ResolvedRefs condition. */
export interface RefProblem<R extends string> {
  reason: R;
  message: string;
}

export function condition(
  type: string,
  ok: boolean,
  reason: string,
  message: string,
  generation: number,
): Condition {
  return { type, status: ok ? 'True' : 'False', reason, message, observedGeneration: generation };
}

export function verdictCondition<R extends string>(
  type: string,
  verdict: Verdict<R>,
  generation: number,
): Condition {
  return condition(type, verdict.ok, verdict.reason, verdict.message, generation);
}

/**
 * ResolvedRefs from a list of problems: True when there are none; otherwise False with the first
 * problem's reason and every problem in the message.
 */
export function resolvedRefsVerdict<R extends string>(
  problems: RefProblem<R>[],
  okMessage: string,
): Verdict<R | 'ResolvedRefs'> {
  const first = problems[0];
  if (!first) return { ok: true, reason: 'ResolvedRefs', message: okMessage };
  return { ok: false, reason: first.reason, message: joinMessages(problems.map((p) => p.message)) };
}

/** Messages are capped like Envoy Gateway's (the API allows 32768 bytes per message). */
const MAX_MESSAGE_LENGTH = 8192;

export function joinMessages(messages: string[]): string {
  const joined = [...new Set(messages)].join(' ');
  if (joined.length <= MAX_MESSAGE_LENGTH) return joined;
  return `${joined.slice(0, MAX_MESSAGE_LENGTH)} (message truncated).`;
}

/** A rule-level validation failure: the rule is dropped and reported with this reason. */
export class InvalidRule {
  constructor(
    readonly reason: RuleInvalidReason,
    readonly message: string,
  ) {}
}

export function unsupportedValue(message: string): InvalidRule {
  return new InvalidRule('UnsupportedValue', message);
}
