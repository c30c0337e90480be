/**
 * The upstream suite's BackendTLSPolicy waits (conformance/utils/kubernetes/helpers.go): a policy
 * has a condition in its ancestor entry for a Gateway (every ancestor's conditions first carrying
 * the policy's latest generation), and every condition of every ancestor is fresh.
 */
import { type AnyObject, GATEWAY_V1 } from './kube.js';
import { type Condition, describe, findCondition, latestGeneration, type ParentRef } from './status.js';
import { poll, type T } from './t.js';
import type { NamespacedName, Waits } from './waits.js';

interface PolicyLike extends AnyObject {
  status?: { ancestors?: { ancestorRef: ParentRef; controllerName: string; conditions: Condition[] }[] };
}

export const policyRef = (nn: NamespacedName) => ({
  apiVersion: GATEWAY_V1,
  kind: 'BackendTLSPolicy',
  ...nn,
});

/** Upstream's BackendTLSPolicyMustHaveCondition (reason "" matches any). */
export async function backendTLSPolicyMustHaveCondition(
  t: T,
  w: Waits,
  policy: NamespacedName,
  gw: NamespacedName,
  condition: Condition,
): Promise<void> {
  await poll(
    t,
    `BackendTLSPolicy ${policy.namespace}/${policy.name} ${condition.type}=${condition.status}/${condition.reason ?? ''} for Gateway ${gw.name}`,
    w.timeouts.defaultPollInterval,
    w.timeouts.httpRouteMustHaveCondition,
    async () => {
      const obj = await w.kube.mustGet<PolicyLike>(policyRef(policy));
      const ancestors = obj.status?.ancestors ?? [];
      for (const ancestor of ancestors) {
        const fresh = latestGeneration(obj.metadata.generation, ancestor.conditions);
        if (fresh !== true) return fresh;
      }
      const entry = ancestors.find(
        (a) =>
          a.ancestorRef.name === gw.name &&
          (a.ancestorRef.namespace === undefined || a.ancestorRef.namespace === gw.namespace),
      );
      if (!entry) return `no ancestor entry for Gateway ${gw.namespace}/${gw.name}`;
      return (
        findCondition(entry.conditions, condition.type, condition.status, condition.reason) ||
        `conditions ${describe(entry.conditions)}`
      );
    },
  );
}

/** Upstream's BackendTLSPolicyMustHaveLatestConditions, on an object already read. */
export function backendTLSPolicyMustHaveLatestConditions(t: T, policy: AnyObject): void {
  for (const ancestor of (policy as PolicyLike).status?.ancestors ?? []) {
    const fresh = latestGeneration(policy.metadata.generation, ancestor.conditions);
    if (fresh !== true) t.fatal(`BackendTLSPolicy ${policy.metadata.name}: ${fresh}`);
  }
}
