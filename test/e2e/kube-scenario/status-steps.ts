// The scenario's status checks, in the order a user would see them: our GatewayClass accepted,
// the Gateway programmed with its route counted, the route's parent entry reporting a missing
// backend and then the Service that appears, the entry following changes to the route (a listener
// that does not exist, and back), nothing written for the other controller's class, and our entry
// leaving a route that detaches. Every condition checked must carry the object's generation.

import type { Gateway, GatewayClass, HTTPRoute, KubeObject } from '../../../src/resources/types.js';
import { type ScenarioContext, type Step, waitForObject } from './context.js';
import {
  conditionHolds,
  describeConditions,
  describeGateway,
  describeRoute,
  gatewayClassRef,
  gatewayRef,
  ourParent,
  parentRefs,
  routeRef,
  service,
} from './manifests.js';

const MISSING_LISTENER = 'no-such-listener';

export const gatewayClassAccepted: Step = {
  name: 'our GatewayClass is Accepted and lists its supportedFeatures',
  async run(ctx) {
    const features = (gc: GatewayClass | undefined) =>
      (gc?.status?.supportedFeatures ?? []).map((f) => f.name);
    const gc = await waitForObject<GatewayClass>(
      ctx,
      gatewayClassRef(ctx.names.ourClass),
      `GatewayClass ${ctx.names.ourClass} Accepted=True with supportedFeatures including HTTPRoute`,
      (obj) =>
        conditionHolds(obj.status?.conditions, 'Accepted', 'True', obj.metadata.generation) &&
        features(obj).includes('HTTPRoute'),
      (obj) =>
        `${describeConditions(obj?.status?.conditions)}; supportedFeatures: [${features(obj).join(', ')}]`,
    );
    ctx.log(`  supportedFeatures: ${features(gc).join(', ')}`);
  },
};

export const gatewayProgrammed: Step = {
  name: 'the Gateway is Accepted and Programmed on 127.0.0.1, its listener counts 1 route',
  async run(ctx) {
    const gw = await waitForGateway(ctx, 1, 'Accepted and Programmed with 1 attached route');
    const addresses = (gw.status?.addresses ?? []).map((a) => a.value);
    if (!addresses.includes('127.0.0.1')) {
      throw new Error(`Gateway status.addresses is [${addresses.join(', ')}], expected 127.0.0.1`);
    }
  },
};

export const routeBackendMissing: Step = {
  name: 'the HTTPRoute is Accepted with ResolvedRefs=False (BackendNotFound) while its Service is missing',
  async run(ctx) {
    await waitForRoute(ctx, 'Accepted=True, ResolvedRefs=False (BackendNotFound)', (route) => {
      const p = ourParent(route, ctx.names.controllerName, ctx.names.gateway);
      const generation = route.metadata.generation;
      return (
        conditionHolds(p?.conditions, 'Accepted', 'True', generation) &&
        conditionHolds(p?.conditions, 'ResolvedRefs', 'False', generation, 'BackendNotFound')
      );
    });
  },
};

export const routeBackendResolved: Step = {
  name: 'creating the Service turns ResolvedRefs to True',
  async run(ctx) {
    await ctx.cluster.create(service(ctx.names));
    await waitForRoute(ctx, 'ResolvedRefs=True', (route) => routeFullyAccepted(ctx, route));
  },
};

export const routeFollowsChanges: Step = {
  name: 'the route status follows changes: a missing listener (NoMatchingParent), then the right one',
  async run(ctx) {
    const { names, cluster } = ctx;
    await cluster.mergePatch(routeRef(names), {
      spec: { parentRefs: parentRefs(names.gateway, MISSING_LISTENER) },
    });
    await waitForRoute(
      ctx,
      `Accepted=False (NoMatchingParent) for sectionName ${MISSING_LISTENER}`,
      (route) => {
        const ours = ourEntries(ctx, route);
        return (
          ours.length === 1 &&
          ours[0]?.parentRef.sectionName === MISSING_LISTENER &&
          conditionHolds(
            ours[0].conditions,
            'Accepted',
            'False',
            route.metadata.generation,
            'NoMatchingParent',
          )
        );
      },
    );
    await waitForGateway(ctx, 0, 'its listener counting 0 routes');
    await cluster.mergePatch(routeRef(names), {
      spec: { parentRefs: parentRefs(names.gateway, names.listener) },
    });
    await waitForRoute(ctx, `Accepted=True again for sectionName ${names.listener}`, (route) => {
      const ours = ourEntries(ctx, route);
      return (
        ours.length === 1 &&
        ours[0]?.parentRef.sectionName === names.listener &&
        routeFullyAccepted(ctx, route)
      );
    });
    await waitForGateway(ctx, 1, 'its listener counting the route again');
  },
};

export const foreignUntouched: Step = {
  name: "nothing is written to the other controller's GatewayClass, Gateway and HTTPRoute",
  async run(ctx) {
    for (const { ref, resourceVersion } of ctx.foreign) {
      const live = await ctx.cluster.read<KubeObject>(ref);
      if (!live) throw new Error(`${ref.kind} ${ref.metadata.name} has disappeared`);
      if (live.metadata.resourceVersion === resourceVersion) continue;
      const fields = (live.metadata.managedFields ?? []) as { manager?: string; subresource?: string }[];
      const managers = fields.map((m) => `${m.manager}(${m.subresource ?? 'main'})`);
      throw new Error(
        `${ref.kind} ${ref.metadata.name} was written after its creation (resourceVersion ${resourceVersion} → ` +
          `${live.metadata.resourceVersion}); field managers: ${managers.join(', ') || 'none'}; ` +
          `status: ${JSON.stringify((live as { status?: unknown }).status ?? {})}`,
      );
    }
  },
};

export const routeDetached: Step = {
  name: 'a route that detaches loses our parent entry, and the listener counts 0 routes',
  async run(ctx) {
    const { names, cluster } = ctx;
    await cluster.mergePatch(routeRef(names), { spec: { parentRefs: parentRefs(names.otherGateway) } });
    await waitForRoute(
      ctx,
      `no parent entry of ${names.controllerName}`,
      (route) => ourEntries(ctx, route).length === 0,
    );
    await waitForGateway(ctx, 0, 'its listener counting 0 routes');
    await cluster.delete(routeRef(names));
    await cluster.waitForDeletion(routeRef(names));
  },
};

// ---- shared waits ---------------------------------------------------------------------------------

function ourEntries(ctx: ScenarioContext, route: HTTPRoute) {
  return (route.status?.parents ?? []).filter((p) => p.controllerName === ctx.names.controllerName);
}

/** Our entry for the Gateway: Accepted and ResolvedRefs True, for the route's generation. */
export function routeFullyAccepted(ctx: ScenarioContext, route: HTTPRoute): boolean {
  const p = ourParent(route, ctx.names.controllerName, ctx.names.gateway);
  const generation = route.metadata.generation;
  return (
    conditionHolds(p?.conditions, 'Accepted', 'True', generation) &&
    conditionHolds(p?.conditions, 'ResolvedRefs', 'True', generation, 'ResolvedRefs')
  );
}

export function waitForRoute(
  ctx: ScenarioContext,
  what: string,
  accept: (route: HTTPRoute) => boolean,
  timeoutMs?: number,
): Promise<HTTPRoute> {
  const { names } = ctx;
  return waitForObject<HTTPRoute>(
    ctx,
    routeRef(names),
    `HTTPRoute ${names.namespace}/${names.route}: ${what}`,
    accept,
    describeRoute,
    timeoutMs,
  );
}

/** Accepted and Programmed (Gateway and listener) for its generation, with `attachedRoutes`. */
export function waitForGateway(
  ctx: ScenarioContext,
  attachedRoutes: number,
  what: string,
  timeoutMs?: number,
): Promise<Gateway> {
  const { names } = ctx;
  return waitForObject<Gateway>(
    ctx,
    gatewayRef(names),
    `Gateway ${names.namespace}/${names.gateway}: ${what}`,
    (gw) => {
      const generation = gw.metadata.generation;
      const listener = gw.status?.listeners?.find((l) => l.name === names.listener);
      return (
        conditionHolds(gw.status?.conditions, 'Accepted', 'True', generation) &&
        conditionHolds(gw.status?.conditions, 'Programmed', 'True', generation) &&
        conditionHolds(listener?.conditions, 'Programmed', 'True', generation) &&
        listener?.attachedRoutes === attachedRoutes
      );
    },
    describeGateway,
    timeoutMs,
  );
}
