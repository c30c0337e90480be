// The scenario's first two steps and its cleanup. Set-up checks the CRDs, then creates this run's
// Namespace and GatewayClasses (remembered, so cleanup deletes exactly what this run created and
// never an object that happened to exist), the Gateways and HTTPRoutes of both classes (the route
// to ours points at a Service that does not exist yet), and records the other class's objects'
// resourceVersions. Cleanup stops the controllers first (so nothing writes while objects go),
// then deletes the GatewayClasses and the Namespace, which takes everything in it along.

import type { KubeObject } from '../../../src/resources/types.js';
import { describeError, refName, refOf } from './cluster.js';
import type { ScenarioContext, Step } from './context.js';
import { checkGatewayApiCrds, GATEWAY_API_VERSION } from './crds.js';
import { gateway, gatewayClass, httpRoute, namespace, namespaceRef } from './manifests.js';

export const crdsServed: Step = {
  name: 'the Gateway API CRDs are served',
  async run(ctx) {
    const bundles = await checkGatewayApiCrds(ctx.cluster);
    ctx.log(`  installed bundle version: ${bundles.join(', ') || 'unknown'}`);
    if (bundles.some((b) => b !== GATEWAY_API_VERSION)) {
      ctx.log(`  note: Gatehouse is built against ${GATEWAY_API_VERSION}`);
    }
  },
};

export const objectsCreated: Step = {
  name: 'create the Namespace, two GatewayClasses, their Gateways and HTTPRoutes',
  async run(ctx) {
    const { names: n, cluster } = ctx;
    const track = async <T extends KubeObject>(obj: T): Promise<T> => {
      const created = await cluster.create(obj);
      ctx.created.push(refOf(created));
      return created;
    };
    const remember = (created: KubeObject) =>
      ctx.foreign.push({ ref: refOf(created), resourceVersion: created.metadata.resourceVersion ?? '' });

    await track(namespace(n));
    await track(gatewayClass(n.ourClass, n.controllerName));
    remember(await track(gatewayClass(n.otherClass, n.otherControllerName)));
    await cluster.create(gateway(n, n.gateway, n.ourClass, ctx.listenerPort));
    remember(await cluster.create(gateway(n, n.otherGateway, n.otherClass, 80)));
    await cluster.create(httpRoute(n, n.route, n.gateway));
    remember(await cluster.create(httpRoute(n, n.otherRoute, n.otherGateway)));
    ctx.log(
      `  namespace ${n.namespace}; GatewayClasses ${n.ourClass} (${n.controllerName}) and ${n.otherClass} ` +
        `(${n.otherControllerName}); Gateway listener on 127.0.0.1:${ctx.listenerPort}`,
    );
  },
};

/** Stops the controllers and deletes what this run created; returns what could not be done. */
export async function cleanUp(ctx: ScenarioContext, keep: boolean): Promise<string[]> {
  const problems: string[] = [];
  try {
    await ctx.controllers.stopAll();
  } catch (err) {
    problems.push(`stopping the controllers: ${describeError(err)}`);
  }
  if (keep) {
    const n = ctx.names;
    ctx.log(
      `--keep: left ${ctx.created.map((r) => `${r.kind} ${r.metadata.name}`).join(', ')} in place; remove with`,
    );
    ctx.log(
      `  kubectl delete namespace ${n.namespace} && kubectl delete gatewayclass ${n.ourClass} ${n.otherClass}`,
    );
    return problems;
  }
  const cluster = ctx.cluster.withoutSignal();
  for (const ref of [...ctx.created].reverse()) {
    try {
      await cluster.delete(ref);
      ctx.log(`  deleted ${ref.kind} ${refName(ref)}`);
    } catch (err) {
      problems.push(`deleting ${ref.kind} ${refName(ref)}: ${describeError(err)}`);
    }
  }
  if (ctx.created.some((r) => r.kind === 'Namespace')) {
    try {
      await cluster.waitForDeletion(namespaceRef(ctx.names));
    } catch (err) {
      // Not a failure: a terminating namespace finishes by itself.
      ctx.log(`  note: ${describeError(err)}; it will finish terminating by itself`);
    }
  }
  return problems;
}
