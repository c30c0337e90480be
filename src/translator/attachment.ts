// parentRefs → listeners, and the route's parent statuses. Each parentRef to one of our Gateways
// gets a status entry (refs to other kinds, unknown Gateways or other controllers' Gateways get
// none). Attachment narrows the Gateway's listeners step by step, and the first step that leaves
// none decides the reason: sectionName/port (NoMatchingParent), then allowedRoutes kinds and
// namespaces on accepted listeners (NotAllowedByListeners), then hostname intersection
// (NoMatchingListenerHostname). A route whose every rule was dropped is not accepted either.

import { GATEWAY_GROUP } from '../resources/kinds.js';
import type { Condition, ParentReference, RouteParentStatus } from '../resources/types.js';
import {
  condition,
  joinMessages,
  type RouteAcceptedReason,
  resolvedRefsVerdict,
  type Verdict,
  verdictCondition,
} from './conditions.js';
import type { TranslateContext } from './context.js';
import type { GatewayState } from './gateways.js';
import { effectiveHostnames } from './hostnames.js';
import { allowsHTTPRoute, allowsNamespace, type ListenerState } from './listeners.js';
import type { CompiledRoute } from './routes.js';
import { asArray, asInteger, asName, asRecord, asString } from './values.js';

/** A route attached to a listener, with its effective hostnames there. */
export interface RouteAttachment {
  route: CompiledRoute;
  hostnames: string[];
}

interface Binding {
  verdict: Verdict<RouteAcceptedReason>;
  attachments: { listener: ListenerState; hostnames: string[] }[];
}

/** Attaches `route` to the listeners its parentRefs select; returns its parent statuses. */
export function attachRoute(
  ctx: TranslateContext,
  route: CompiledRoute,
  gateways: ReadonlyMap<string, GatewayState>,
): RouteParentStatus[] {
  const parents: RouteParentStatus[] = [];
  for (const ref of asArray(asRecord(route.route.spec)?.parentRefs)) {
    const parentRef = normaliseParentRef(asRecord(ref));
    if (!parentRef || parentRef.group !== GATEWAY_GROUP || parentRef.kind !== 'Gateway') continue;
    const gateway = gateways.get(`${parentRef.namespace ?? route.meta.namespace}/${parentRef.name}`);
    if (!gateway) continue;
    const binding = bind(ctx, route, gateway, parentRef);
    for (const { listener, hostnames } of binding.attachments) {
      listener.attachments.set(route.meta.key, { route, hostnames });
    }
    parents.push({
      parentRef,
      controllerName: ctx.controllerName,
      conditions: parentConditions(route, binding.verdict),
    });
  }
  return parents;
}

/** The parentRef as the API server would store it: group and kind defaulted, the rest as written. */
function normaliseParentRef(ref: Record<string, unknown> | undefined): ParentReference | undefined {
  const name = asName(ref?.name);
  if (!ref || name === undefined) return undefined;
  const parentRef: ParentReference = {
    group: asString(ref.group) ?? GATEWAY_GROUP,
    kind: asString(ref.kind) ?? 'Gateway',
    name,
  };
  const namespace = asName(ref.namespace);
  const sectionName = asName(ref.sectionName);
  const port = asInteger(ref.port);
  if (namespace !== undefined) parentRef.namespace = namespace;
  if (sectionName !== undefined) parentRef.sectionName = sectionName;
  if (port !== undefined) parentRef.port = port;
  return parentRef;
}

function bind(
  ctx: TranslateContext,
  route: CompiledRoute,
  gateway: GatewayState,
  ref: ParentReference,
): Binding {
  const selected = gateway.listeners.filter(
    (l) =>
      (ref.sectionName === undefined || l.name === ref.sectionName) &&
      (ref.port === undefined || l.port === ref.port),
  );
  if (selected.length === 0) {
    return rejected('NoMatchingParent', `No listener matches ${describeSelection(ref)}.`);
  }
  const allowed = selected.filter(
    (l) => allowsHTTPRoute(l) && allowsNamespace(ctx, l, gateway.meta.namespace, route.meta.namespace),
  );
  if (allowed.length === 0) return rejected('NotAllowedByListeners', whyNotAllowed(selected, route));
  const attachments = allowed.flatMap((listener) => {
    const hostnames = effectiveHostnames(route.hostnames, listener.hostname);
    return hostnames === null ? [] : [{ listener, hostnames }];
  });
  if (attachments.length === 0) {
    const hostnames = route.hostnames.join(', ');
    return rejected('NoMatchingListenerHostname', `No selected listener matches the hostnames ${hostnames}.`);
  }
  const firstDropped = route.dropped[0];
  if (route.rules.length === 0 && firstDropped) {
    const messages = route.dropped.map((d) => `Rule ${d.index}: ${d.message}`);
    return rejected(firstDropped.reason, `All rules are invalid. ${joinMessages(messages)}`);
  }
  return { verdict: { ok: true, reason: 'Accepted', message: 'Route is accepted.' }, attachments };
}

function whyNotAllowed(selected: ListenerState[], route: CompiledRoute): string {
  if (!selected.some((l) => l.accepted.ok)) return 'The selected listeners are not accepted.';
  if (!selected.some(allowsHTTPRoute)) return 'The selected listeners do not allow the kind HTTPRoute.';
  return `The selected listeners do not allow routes from namespace ${route.meta.namespace}.`;
}

function rejected(reason: RouteAcceptedReason, message: string): Binding {
  return { verdict: { ok: false, reason, message }, attachments: [] };
}

function describeSelection(ref: ParentReference): string {
  const parts = [];
  if (ref.sectionName !== undefined) parts.push(`sectionName "${ref.sectionName}"`);
  if (ref.port !== undefined) parts.push(`port ${ref.port}`);
  return parts.length > 0 ? parts.join(' and ') : 'this parentRef';
}

function parentConditions(route: CompiledRoute, accepted: Verdict<RouteAcceptedReason>): Condition[] {
  const { generation } = route.meta;
  const conditions = [
    verdictCondition('Accepted', accepted, generation),
    verdictCondition(
      'ResolvedRefs',
      resolvedRefsVerdict(route.problems, 'All references are resolved.'),
      generation,
    ),
  ];
  // PartiallyInvalid is only ever True, and only on an accepted route with some dropped rules.
  if (accepted.ok && route.dropped.length > 0) {
    const dropped = route.dropped.map((d) => `rule ${d.index} (${d.message})`);
    const message = `Dropped Rule(s): ${joinMessages(dropped)}`;
    conditions.push(condition('PartiallyInvalid', true, 'UnsupportedValue', message, generation));
  }
  return conditions;
}
