// What every step of the scenario works with: the cluster, this run's names, the controller
// replicas, and a log; plus the step shape and the one wait all status checks share (read an
// object until a predicate holds, describing the object for the timeout message).

import type { KubeObject } from '../../../src/resources/types.js';
import type { ObjectRef, ScenarioCluster } from './cluster.js';
import type { ControllerSet, LeaseTimings } from './controllers.js';
import type { ScenarioNames } from './manifests.js';

export interface ScenarioContext {
  cluster: ScenarioCluster;
  names: ScenarioNames;
  controllers: ControllerSet;
  lease: LeaseTimings;
  /** The port of our Gateway's listener (free on 127.0.0.1 when the run started). */
  listenerPort: number;
  /** Cluster-scoped objects and the Namespace this run created: cleanup deletes exactly these. */
  created: ObjectRef[];
  /** Other-class objects and their resourceVersion at creation: nothing may write them. */
  foreign: { ref: ObjectRef; resourceVersion: string }[];
  log(line: string): void;
}

export interface Step {
  name: string;
  run(ctx: ScenarioContext): Promise<void>;
}

/**
 * Reads `ref` until `accept` holds for it; returns it. `describe` turns the last object read into
 * the "last saw" part of a timeout message.
 */
export function waitForObject<T extends KubeObject>(
  ctx: ScenarioContext,
  ref: ObjectRef,
  what: string,
  accept: (obj: T) => boolean,
  describe: (obj: T | undefined) => string,
  timeoutMs?: number,
): Promise<T> {
  return ctx.cluster.waitUntil(
    what,
    async () => {
      const obj = await ctx.cluster.read<T>(ref);
      return obj && accept(obj) ? { value: obj, seen: describe(obj) } : { seen: describe(obj) };
    },
    timeoutMs,
  );
}
