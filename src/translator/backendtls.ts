// BackendTLSPolicy: which Service ports the Gateway must reach over TLS, how to verify them, and
// each policy's status. A policy targets core Services (sectionName = a Service port's name);
// policies that select the same (Service, sectionName) conflict, and the oldest one (then the
// first by namespace/name) wins, the others are Accepted=False/Conflicted. For a port, a policy
// naming the port takes precedence over one targeting the whole Service. A policy that applies
// but cannot be trusted (every CA reference invalid, an unknown wellKnownCACertificates) still
// applies: its port gets TLS settings with no trust anchors, so traffic fails instead of going out
// in plain text. Status goes to every Gateway whose routes send traffic to a targeted Service.

import type { GatewayIR, SubjectAltNameIR, UpstreamTlsIR } from '../ir/types.js';
import { GATEWAY_GROUP } from '../resources/kinds.js';
import type { BackendTLSPolicy, PolicyAncestorStatus } from '../resources/types.js';
import { resolveCaCertificateRef } from './cabundles.js';
import {
  type PolicyAcceptedReason,
  type PolicyResolvedRefsReason,
  type RefProblem,
  resolvedRefsVerdict,
  type Verdict,
  verdictCondition,
} from './conditions.js';
import { meta, type ObjectMetaView, type TranslateContext } from './context.js';
import type { StatusUpdate } from './types.js';
import { asArray, asName, asRecord, asString, compareStrings } from './values.js';

/** The Gateway API caps status.ancestors at 16 entries. */
const MAX_ANCESTORS = 16;

interface PolicyTarget {
  /** `namespace/name` of the Service. */
  service: string;
  sectionName: string | undefined;
}

interface PolicyState {
  readonly meta: ObjectMetaView;
  readonly targets: PolicyTarget[];
  accepted: Verdict<PolicyAcceptedReason>;
  readonly resolved: Verdict<PolicyResolvedRefsReason>;
  readonly tls: UpstreamTlsIR;
}

export interface BackendTLSPolicies {
  /** The TLS settings for the port named `portName` of Service `service` (`namespace/name`). */
  tlsFor(service: string, portName: string): UpstreamTlsIR | undefined;
  /** One status per policy, with an ancestor entry for each Gateway that uses a targeted Service. */
  statuses(gateways: readonly GatewayIR[]): StatusUpdate[];
}

export function resolveBackendTLSPolicies(ctx: TranslateContext): BackendTLSPolicies {
  const states = ctx.backendTLSPolicies.map((policy) => policyState(ctx, policy));
  const winners = pickWinners(states);
  return {
    tlsFor: (service, portName) =>
      (winners.get(targetKey(service, portName)) ?? winners.get(targetKey(service, undefined)))?.tls,
    statuses: (gateways) => {
      const users = gatewaysByService(gateways);
      return states.map((state) => policyStatus(ctx.controllerName, state, users));
    },
  };
}

function policyState(ctx: TranslateContext, policy: BackendTLSPolicy): PolicyState {
  const view = meta(policy);
  const spec = asRecord(policy.spec);
  const validation = asRecord(spec?.validation) ?? {};
  const targets = readTargets(view.namespace, spec?.targetRefs);
  const trust = resolveTrust(ctx, view.namespace, validation);
  const tls: UpstreamTlsIR = {
    policy: view.key,
    serverName: asString(validation.hostname) ?? '',
    caCertificates: trust.caCertificates,
    systemRoots: trust.systemRoots,
    subjectAltNames: readSubjectAltNames(validation.subjectAltNames),
  };
  const missingSection = targets.find((t) => t.sectionName !== undefined && !hasPortNamed(ctx, t));
  const accepted: Verdict<PolicyAcceptedReason> = missingSection
    ? {
        ok: false,
        reason: 'TargetNotFound',
        message: `Service ${missingSection.service} has no port named "${missingSection.sectionName}".`,
      }
    : trust.accepted;
  const resolved = resolvedRefsVerdict(trust.problems, 'All CA certificate references are resolved.');
  return { meta: view, targets, accepted, resolved, tls };
}

/** Core Service targets only; other kinds cannot carry backend TLS. */
function readTargets(namespace: string, targetRefs: unknown): PolicyTarget[] {
  const targets: PolicyTarget[] = [];
  for (const entry of asArray(targetRefs)) {
    const record = asRecord(entry);
    const name = asName(record?.name);
    if (name === undefined || (asString(record?.group) ?? '') !== '' || asString(record?.kind) !== 'Service')
      continue;
    targets.push({ service: `${namespace}/${name}`, sectionName: asName(record?.sectionName) });
  }
  return targets;
}

function hasPortNamed(ctx: TranslateContext, target: PolicyTarget): boolean {
  const service = ctx.services.get(target.service);
  if (!service) return true; // a missing Service is no attachment at all, not a bad section
  return asArray(asRecord(service.spec)?.ports).some((p) => asRecord(p)?.name === target.sectionName);
}

interface Trust {
  caCertificates: string[];
  systemRoots: boolean;
  problems: RefProblem<PolicyResolvedRefsReason>[];
  accepted: Verdict<PolicyAcceptedReason>;
}

function resolveTrust(ctx: TranslateContext, namespace: string, validation: Record<string, unknown>): Trust {
  const caCertificates: string[] = [];
  const problems: RefProblem<PolicyResolvedRefsReason>[] = [];
  const refs = asArray(validation.caCertificateRefs);
  for (const ref of refs) {
    const result = resolveCaCertificateRef(ctx, { kind: 'BackendTLSPolicy', namespace }, ref);
    if (result.ok) caCertificates.push(result.pem);
    else
      problems.push({
        reason: result.failure === 'kind' ? 'InvalidKind' : 'InvalidCACertificateRef',
        message: result.message,
      });
  }
  const wellKnown = asString(validation.wellKnownCACertificates) ?? '';
  const systemRoots = wellKnown === 'System';
  let accepted: Verdict<PolicyAcceptedReason> = {
    ok: true,
    reason: 'Accepted',
    message: 'Policy is accepted.',
  };
  if (wellKnown !== '' && !systemRoots) {
    accepted = {
      ok: false,
      reason: 'Invalid',
      message: `wellKnownCACertificates "${wellKnown}" is not supported.`,
    };
  } else if (refs.length > 0 && caCertificates.length === 0) {
    accepted = {
      ok: false,
      reason: 'NoValidCACertificate',
      message: 'None of the caCertificateRefs is a valid CA certificate.',
    };
  }
  return { caCertificates, systemRoots, problems, accepted };
}

function readSubjectAltNames(entries: unknown): SubjectAltNameIR[] {
  const names: SubjectAltNameIR[] = [];
  for (const entry of asArray(entries)) {
    const record = asRecord(entry);
    const type = asString(record?.type);
    const value = type === 'Hostname' ? asString(record?.hostname) : asString(record?.uri);
    if ((type === 'Hostname' || type === 'URI') && value) names.push({ type, value });
  }
  return names;
}

/** The precedence winner per (Service, sectionName); losers become Conflicted. */
function pickWinners(states: PolicyState[]): Map<string, PolicyState> {
  const ordered = [...states].sort(byPrecedence);
  const winners = new Map<string, PolicyState>();
  for (const state of ordered) {
    for (const target of state.targets) {
      const key = targetKey(target.service, target.sectionName);
      const winner = winners.get(key);
      if (winner === undefined) winners.set(key, state);
      else if (winner !== state) {
        state.accepted = {
          ok: false,
          reason: 'Conflicted',
          message: `BackendTLSPolicy ${winner.meta.key} takes precedence for the same target.`,
        };
      }
    }
  }
  for (const [key, state] of winners) if (state.accepted.reason === 'Conflicted') winners.delete(key);
  return winners;
}

/** Older first (by creationTimestamp), then by namespace/name. */
function byPrecedence(a: PolicyState, b: PolicyState): number {
  const ta = a.meta.created ?? Number.POSITIVE_INFINITY;
  const tb = b.meta.created ?? Number.POSITIVE_INFINITY;
  if (ta !== tb) return ta < tb ? -1 : 1;
  return compareStrings(a.meta.key, b.meta.key);
}

function targetKey(service: string, sectionName: string | undefined): string {
  return `${service}#${sectionName ?? ''}`;
}

/** Service `namespace/name` → the Gateways (IR) that route or mirror traffic to it. */
function gatewaysByService(gateways: readonly GatewayIR[]): Map<string, GatewayIR[]> {
  const users = new Map<string, GatewayIR[]>();
  const add = (cluster: string | null, gateway: GatewayIR) => {
    if (cluster === null) return;
    const service = cluster.slice(0, cluster.lastIndexOf(':'));
    const list = users.get(service) ?? [];
    if (!list.includes(gateway)) list.push(gateway);
    users.set(service, list);
  };
  for (const gateway of gateways) {
    for (const route of gateway.ports.flatMap((p) => p.listeners.flatMap((l) => l.routes))) {
      if (route.action.type === 'forward') for (const b of route.action.backends) add(b.cluster, gateway);
      for (const mirror of route.filters.mirrors ?? []) add(mirror.cluster, gateway);
    }
  }
  return users;
}

function policyStatus(
  controllerName: string,
  state: PolicyState,
  users: ReadonlyMap<string, GatewayIR[]>,
): StatusUpdate {
  const { namespace, name, generation } = state.meta;
  const gateways = new Map<string, GatewayIR>();
  for (const target of state.targets) {
    for (const gateway of users.get(target.service) ?? []) gateways.set(gateway.key, gateway);
  }
  const conditions = [
    verdictCondition('Accepted', state.accepted, generation),
    verdictCondition('ResolvedRefs', state.resolved, generation),
  ];
  const ancestors: PolicyAncestorStatus[] = [...gateways.values()]
    .sort((a, b) => compareStrings(a.key, b.key))
    .slice(0, MAX_ANCESTORS)
    .map((gateway) => ({
      ancestorRef: {
        group: GATEWAY_GROUP,
        kind: 'Gateway',
        namespace: gateway.namespace,
        name: gateway.name,
      },
      controllerName,
      conditions: conditions.map((c) => ({ ...c })),
    }));
  return { kind: 'BackendTLSPolicy', namespace, name, generation, status: { ancestors } };
}
