// The translator's contract: a pure function from a ResourceSnapshot to IR and computed statuses.
// No I/O, no clock, no logger: timestamps are added by the status writers.

import type { IR } from '../ir/types.js';
import type { GatewayClassStatus, GatewayStatus, PolicyStatus, RouteStatus } from '../resources/types.js';

export const DEFAULT_CONTROLLER_NAME = 'gatehouse.dev/gateway-controller';

export interface TranslateOptions {
  /** GatewayClasses whose spec.controllerName equals this are ours. */
  controllerName: string;
}

/** A computed status for one object. Conditions carry observedGeneration but no lastTransitionTime. */
export type StatusUpdate =
  | { kind: 'GatewayClass'; name: string; generation: number; status: GatewayClassStatus }
  | { kind: 'Gateway'; namespace: string; name: string; generation: number; status: GatewayStatus }
  | {
      kind: 'HTTPRoute';
      namespace: string;
      name: string;
      generation: number;
      /** Only the parents this controller is responsible for. */
      status: RouteStatus;
    }
  | {
      kind: 'BackendTLSPolicy';
      namespace: string;
      name: string;
      generation: number;
      /** Only the ancestors (Gateways) this controller is responsible for. */
      status: PolicyStatus;
    };

export interface TranslateResult {
  ir: IR;
  /** Sorted by kind, then namespace/name. */
  statuses: StatusUpdate[];
}
