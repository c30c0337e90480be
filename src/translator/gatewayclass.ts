// GatewayClasses: a class is ours when spec.controllerName equals the configured controller name.
// Ours are Accepted unless they set a parametersRef (Gatehouse has no parameters kind, so any
// reference is InvalidParameters). Classes of other controllers get no status, and their Gateways
// are left to their controller.

import { condition } from './conditions.js';
import { meta, type TranslateContext } from './context.js';
import { supportedFeatureStatus } from './features.js';
import type { StatusUpdate } from './types.js';
import { asRecord } from './values.js';

export interface GatewayClassResult {
  /** Names of our classes that are Accepted; only their Gateways are translated. */
  accepted: Set<string>;
  statuses: StatusUpdate[];
}

export function processGatewayClasses(ctx: TranslateContext): GatewayClassResult {
  const accepted = new Set<string>();
  const statuses: StatusUpdate[] = [];
  for (const [name, gatewayClass] of ctx.gatewayClasses) {
    const spec = asRecord(gatewayClass.spec);
    if (spec?.controllerName !== ctx.controllerName) continue;
    const { generation } = meta(gatewayClass);
    const invalidParameters = spec.parametersRef !== undefined && spec.parametersRef !== null;
    const accept = invalidParameters
      ? condition('Accepted', false, 'InvalidParameters', 'Gatehouse supports no parametersRef.', generation)
      : condition('Accepted', true, 'Accepted', 'GatewayClass is accepted.', generation);
    if (!invalidParameters) accepted.add(name);
    statuses.push({
      kind: 'GatewayClass',
      name,
      generation,
      status: { conditions: [accept], supportedFeatures: supportedFeatureStatus() },
    });
  }
  return { accepted, statuses };
}
