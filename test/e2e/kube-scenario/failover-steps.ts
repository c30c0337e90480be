// Leader election across two `gatehouse controller` processes sharing this run's Lease: the first
// replica syncs and takes the Lease; the second waits as a standby; when the leader is killed
// (SIGKILL, so it cannot release the Lease) and the route changes, the standby must take the
// Lease and write the change within the lease duration (plus one retry period and a margin for
// polling and a real API server's latency), and serve the Gateway's listener.

import type { HTTPRoute, KubeObject } from '../../../src/resources/types.js';
import { send } from '../../fixtures/net.js';
import { GiveUp, seconds } from './cluster.js';
import type { ScenarioContext, Step } from './context.js';
import type { Replica } from './controllers.js';
import { backendRules, conditionHolds, leaseRef, ourParent, routeRef } from './manifests.js';
import { waitForGateway, waitForRoute } from './status-steps.js';

/** Beyond lease duration + retry period: polling, process scheduling, API round trips. */
const FAILOVER_MARGIN_MS = 2000;

interface Lease extends KubeObject {
  spec?: { holderIdentity?: string; leaseTransitions?: number };
}

export const leaderStarts: Step = {
  name: 'controller replica a starts, syncs and takes the Lease',
  async run(ctx) {
    const a = await ctx.controllers.start('a');
    ctx.log(`  started ${a.identity} (pid ${a.process.child.pid}, admin port ${a.process.adminPort})`);
    await waitReady(ctx, a);
    await waitForLeaseHolder(ctx, a.identity);
  },
};

export const leaderFailover: Step = {
  name: 'failover: the leader is killed, the standby takes the Lease and writes the next change',
  async run(ctx) {
    const { names, lease, cluster } = ctx;
    const [a] = ctx.controllers.replicas;
    if (!a) throw new Error('no leader was started');
    const b = await ctx.controllers.start('b');
    ctx.log(
      `  started standby ${b.identity} (pid ${b.process.child.pid}, admin port ${b.process.adminPort})`,
    );
    await waitReady(ctx, b);
    const before = await cluster.read<Lease>(leaseRef(names));
    if (before?.spec?.holderIdentity !== a.identity) {
      throw new Error(
        `the Lease is held by ${before?.spec?.holderIdentity ?? 'nobody'}, expected ${a.identity}`,
      );
    }

    const killedAt = Date.now();
    a.process.child.kill('SIGKILL');
    await a.process.exited;
    const missing = `${names.service}-missing`;
    ctx.log(`  killed ${a.identity} (SIGKILL); pointing the route at Service ${missing}`);
    await cluster.mergePatch(routeRef(names), { spec: { rules: backendRules(missing) } });
    await waitForRoute(ctx, `ResolvedRefs=False (BackendNotFound) for Service ${missing}`, (route) =>
      backendMissing(ctx, route, missing),
    );
    const tookMs = Date.now() - killedAt;
    const boundMs = lease.durationMs + lease.retryPeriodMs + FAILOVER_MARGIN_MS;
    ctx.log(
      `  the standby wrote the change ${seconds(tookMs)} after the kill (lease ${seconds(lease.durationMs)})`,
    );
    if (tookMs > boundMs) {
      throw new Error(`the standby took ${seconds(tookMs)} to write status, more than ${seconds(boundMs)}`);
    }
    await waitForLeaseHolder(ctx, b.identity);
    await waitForGateway(ctx, 1, 'Programmed by the standby');
    // The standby's data plane now holds the listener, serving the route as it is now.
    const reply = await send(ctx.listenerPort, { path: '/' });
    if (reply.status !== 500) {
      throw new Error(
        `GET / on 127.0.0.1:${ctx.listenerPort} answered ${reply.status}, expected 500 (backend missing)`,
      );
    }
  },
};

function backendMissing(ctx: ScenarioContext, route: HTTPRoute, service: string): boolean {
  const p = ourParent(route, ctx.names.controllerName, ctx.names.gateway);
  const resolved = p?.conditions.find((c) => c.type === 'ResolvedRefs');
  return (
    conditionHolds(p?.conditions, 'ResolvedRefs', 'False', route.metadata.generation, 'BackendNotFound') &&
    (resolved?.message ?? '').includes(service)
  );
}

/** /readyz answers 200 once every watched kind has been listed. */
async function waitReady(ctx: ScenarioContext, replica: Replica): Promise<void> {
  const { child } = replica.process;
  await ctx.cluster.waitUntil(`${replica.identity} to be ready (/readyz 200)`, async () => {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new GiveUp(`${replica.identity} exited (${child.exitCode ?? child.signalCode})`);
    }
    const reply = await replica.process.admin('/readyz');
    return reply.status === 200
      ? { value: true, seen: '200' }
      : { seen: `${reply.status} ${reply.text.trim()}` };
  });
}

async function waitForLeaseHolder(ctx: ScenarioContext, identity: string): Promise<void> {
  const { names } = ctx;
  await ctx.cluster.waitUntil(`Lease ${names.namespace}/${names.lease} held by ${identity}`, async () => {
    const live = await ctx.cluster.read<Lease>(leaseRef(names));
    const holder = live?.spec?.holderIdentity;
    return holder === identity
      ? { value: true, seen: holder }
      : { seen: live ? `held by ${holder ?? 'nobody'}` : 'no Lease' };
  });
}
