// translate(): ResourceSnapshot → IR + statuses, as a fixed sequence of small steps. Pure: no
// I/O, no clock, no logger, no randomness; the snapshot is only read; the same snapshot always
// gives the same output, whatever the order of objects inside it. Problems in the input become
// conditions on the objects' statuses, never exceptions.

import type { ResourceSnapshot } from '../resources/kinds.js';
import { attachRoute } from './attachment.js';
import { resolveBackendTLSPolicies } from './backendtls.js';
import { buildContext } from './context.js';
import { processGatewayClasses } from './gatewayclass.js';
import { buildGateways, gatewayStatus } from './gateways.js';
import { buildIR } from './ir.js';
import { compileRoute } from './routes.js';
import type { StatusUpdate, TranslateOptions, TranslateResult } from './types.js';
import { compareStrings } from './values.js';

export function translate(snapshot: ResourceSnapshot, options: TranslateOptions): TranslateResult {
  // 1. Index the snapshot once, so every lookup below is O(1).
  const ctx = buildContext(snapshot, options);

  // 2. Decide which GatewayClasses are ours and accepted: only their Gateways are translated.
  const classes = processGatewayClasses(ctx);

  // 3. Gateways and their listeners (protocols, certificates, conflicts). Runs before routes:
  //    attachment needs each listener's final validity.
  const gateways = buildGateways(ctx, classes.accepted);
  const gatewaysByKey = new Map(gateways.map((gateway) => [gateway.meta.key, gateway]));

  // 4. Compile every HTTPRoute's rules once (matches, filters, backendRefs); this does not depend
  //    on the parents, and attachment needs to know whether any rule survived.
  const routes = ctx.httpRoutes.map((route) => compileRoute(ctx, route));

  // 5. Attach routes to listeners through their parentRefs. Yields the route statuses and fills
  //    each listener's attachments, which step 6 counts as attachedRoutes.
  const routeStatuses: StatusUpdate[] = [];
  for (const route of routes) {
    const parents = attachRoute(ctx, route, gatewaysByKey);
    if (parents.length === 0) continue;
    const { namespace, name, generation } = route.meta;
    routeStatuses.push({ kind: 'HTTPRoute', namespace, name, generation, status: { parents } });
  }

  // 6. Gateway statuses, now that attachedRoutes are known.
  const gatewayStatuses = gateways.map(gatewayStatus);

  // 7. BackendTLSPolicies: which Service ports are reached over TLS, and how to verify them.
  const backendTLS = resolveBackendTLSPolicies(ctx);

  // 8. The IR of accepted Gateways and programmed listeners, with the clusters their routes use.
  const ir = buildIR(ctx, gateways, backendTLS.tlsFor);

  // 9. Policy statuses, one ancestor entry per Gateway whose routes use a targeted Service.
  const policyStatuses = backendTLS.statuses(ir.gateways);

  const statuses = [...classes.statuses, ...gatewayStatuses, ...routeStatuses, ...policyStatuses];
  return { ir, statuses: sortStatuses(statuses) };
}

/** By kind, then namespace/name. */
function sortStatuses(statuses: StatusUpdate[]): StatusUpdate[] {
  const sortKey = (s: StatusUpdate) => `${s.kind}\u0000${'namespace' in s ? s.namespace : ''}/${s.name}`;
  return statuses.sort((a, b) => compareStrings(sortKey(a), sortKey(b)));
}
