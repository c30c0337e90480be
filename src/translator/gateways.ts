// Gateways of our accepted GatewayClasses: their listeners, requested addresses and Gateway-level
// conditions. Accepted is False for an infrastructure.parametersRef (InvalidParameters), for a
// spec.addresses entry that is not a parsable IPAddress (UnsupportedAddress), or when no listener
// is valid (ListenersNotValid); True with reason ListenersNotValid when only some are. Programmed
// is computed as if binding succeeds: a later stage overlays bind failures and status.addresses.

import { isIP } from 'node:net';
import type { Gateway } from '../resources/types.js';
import { condition, type GatewayReason, type Verdict, verdictCondition } from './conditions.js';
import { meta, type ObjectMetaView, type TranslateContext } from './context.js';
import { type GatewayTlsState, resolveGatewayTls } from './gateway-tls.js';
import { buildListeners, isProgrammed, type ListenerState, listenerStatus } from './listeners.js';
import type { StatusUpdate } from './types.js';
import { asArray, asName, asRecord, asString } from './values.js';

export interface GatewayState {
  readonly gateway: Gateway;
  readonly meta: ObjectMetaView;
  readonly listeners: ListenerState[];
  readonly accepted: Verdict<GatewayReason>;
  /** Static IPAddress values from spec.addresses, in spec order. */
  readonly addresses: string[];
  /** spec.tls: backend client certificate, frontend validation (already applied to listeners). */
  readonly tls: GatewayTlsState;
}

export function buildGateways(ctx: TranslateContext, acceptedClasses: ReadonlySet<string>): GatewayState[] {
  const states: GatewayState[] = [];
  for (const gateway of ctx.gateways) {
    const spec = asRecord(gateway.spec);
    const className = asString(spec?.gatewayClassName);
    if (className === undefined || !acceptedClasses.has(className)) continue;
    const view = meta(gateway);
    const listeners = buildListeners(ctx, view.namespace, spec?.listeners);
    const tls = resolveGatewayTls(ctx, view.namespace, spec?.tls, listeners);
    const addresses = readAddresses(spec?.addresses);
    const accepted = acceptance(spec, addresses.problems, listeners);
    states.push({ gateway, meta: view, listeners, accepted, addresses: addresses.values, tls });
  }
  return states;
}

/** spec.addresses: type defaults to IPAddress; an entry without a value asks for an allocated one. */
function readAddresses(specAddresses: unknown): { values: string[]; problems: string[] } {
  const values: string[] = [];
  const problems: string[] = [];
  for (const entry of asArray(specAddresses)) {
    const record = asRecord(entry);
    const type = asString(record?.type) ?? 'IPAddress';
    const value = asName(record?.value);
    if (type !== 'IPAddress') problems.push(`Address type "${type}" is not supported.`);
    else if (value === undefined) continue;
    else if (isIP(value) === 0) problems.push(`Address "${value}" is not an IP address.`);
    else if (!values.includes(value)) values.push(value);
  }
  return { values, problems };
}

function acceptance(
  spec: Record<string, unknown> | undefined,
  addressProblems: string[],
  listeners: ListenerState[],
): Verdict<GatewayReason> {
  const infrastructure = asRecord(spec?.infrastructure);
  if (infrastructure?.parametersRef !== undefined && infrastructure.parametersRef !== null) {
    return {
      ok: false,
      reason: 'InvalidParameters',
      message: 'Gatehouse supports no infrastructure.parametersRef.',
    };
  }
  if (addressProblems.length > 0) {
    return { ok: false, reason: 'UnsupportedAddress', message: addressProblems.join(' ') };
  }
  if (listeners.length === 0)
    return { ok: false, reason: 'ListenersNotValid', message: 'Gateway has no listeners.' };
  const invalid = listeners.filter((l) => !l.accepted.ok).map((l) => l.name);
  if (invalid.length === listeners.length) {
    return { ok: false, reason: 'ListenersNotValid', message: 'No listener is valid.' };
  }
  if (invalid.length > 0) {
    return { ok: true, reason: 'ListenersNotValid', message: `Listeners not valid: ${invalid.join(', ')}.` };
  }
  return { ok: true, reason: 'Accepted', message: 'Gateway is accepted.' };
}

export function gatewayStatus(state: GatewayState): StatusUpdate {
  const { namespace, name, generation } = state.meta;
  const gatewayAccepted = state.accepted.ok;
  const programmed = gatewayAccepted && state.listeners.some((l) => isProgrammed(l, true));
  const programmedCondition = programmed
    ? condition('Programmed', true, 'Programmed', 'Gateway is programmed.', generation)
    : condition('Programmed', false, 'Invalid', programmedFailure(state), generation);
  return {
    kind: 'Gateway',
    namespace,
    name,
    generation,
    status: {
      conditions: [
        verdictCondition('Accepted', state.accepted, generation),
        programmedCondition,
        ...state.tls.conditions(generation),
      ],
      listeners: state.listeners.map((listener) => listenerStatus(listener, generation, gatewayAccepted)),
    },
  };
}

function programmedFailure(state: GatewayState): string {
  return state.accepted.ok ? 'No listener can be programmed.' : 'Gateway is not accepted.';
}
