// The scenario's only way into a cluster: client-node's generic KubernetesObjectApi over a
// kubeconfig file, as kubectl would use it, with nothing that knows about the API server double.
// Reads answer `undefined` for a 404, deletes ignore one, spec changes are JSON merge patches (so
// the controller's concurrent status writes never make them conflict), and `waitUntil` polls
// with a bound, failing with what it waited for and what it saw last.

import { setTimeout as sleep } from 'node:timers/promises';
import {
  ApiException,
  KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';
import type { KubeObject } from '../../../src/resources/types.js';

/** Identifies one object: what client-node needs to find its URL. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

/** One look at the cluster: `value` once the wait is over, and a description of what was seen. */
export interface Probe<T> {
  value?: T;
  seen: string;
}

export interface WaitOptions {
  timeoutMs: number;
  pollMs: number;
  signal?: AbortSignal;
}

export class ScenarioCluster {
  private readonly objects: KubernetesObjectApi;

  constructor(
    readonly config: KubeConfig,
    readonly wait: WaitOptions,
  ) {
    this.objects = KubernetesObjectApi.makeApiClient(config);
  }

  /** Loads the kubeconfig file (and switches to `context` when given). */
  static fromFile(path: string, wait: WaitOptions, context?: string): ScenarioCluster {
    const config = new KubeConfig();
    config.loadFromFile(path);
    if (context) config.setCurrentContext(context);
    return new ScenarioCluster(config, wait);
  }

  /** The same cluster with waits that an abort does not cut short (cleanup must finish). */
  withoutSignal(): ScenarioCluster {
    return new ScenarioCluster(this.config, { timeoutMs: this.wait.timeoutMs, pollMs: this.wait.pollMs });
  }

  /** The API server URL of the current context (for the log line that says where we are). */
  get server(): string {
    return this.config.getCurrentCluster()?.server ?? '(no current cluster)';
  }

  async create<T extends KubeObject>(obj: T): Promise<T> {
    return (await this.objects.create(obj as KubernetesObject)) as unknown as T;
  }

  /** The live object, or undefined when it does not exist. */
  async read<T extends KubeObject>(ref: ObjectRef): Promise<T | undefined> {
    try {
      return (await this.objects.read(ref)) as unknown as T;
    } catch (err) {
      if (httpCode(err) === 404) return undefined;
      throw err;
    }
  }

  /** A JSON merge patch of `patch` (lists in it replace the object's lists). */
  async mergePatch<T extends KubeObject>(ref: ObjectRef, patch: Record<string, unknown>): Promise<T> {
    const body = { apiVersion: ref.apiVersion, kind: ref.kind, metadata: ref.metadata, ...patch };
    return (await this.objects.patch(
      body as KubernetesObject,
      undefined,
      undefined,
      undefined,
      undefined,
      PatchStrategy.MergePatch,
    )) as unknown as T;
  }

  /** Deletes; true if it existed. */
  async delete(ref: ObjectRef): Promise<boolean> {
    try {
      await this.objects.delete(ref as KubernetesObject);
      return true;
    } catch (err) {
      if (httpCode(err) === 404) return false;
      throw err;
    }
  }

  /** Polls `probe` until it yields a value; on timeout says what it waited for and last saw. */
  async waitUntil<T>(
    what: string,
    probe: () => Promise<Probe<T>>,
    timeoutMs = this.wait.timeoutMs,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let seen = 'nothing yet';
    for (;;) {
      this.wait.signal?.throwIfAborted();
      try {
        const result = await probe();
        if (result.value !== undefined) return result.value;
        seen = result.seen;
      } catch (err) {
        if (this.wait.signal?.aborted || err instanceof GiveUp) throw err;
        seen = `error: ${describeError(err)}`;
      }
      if (Date.now() >= deadline) {
        throw new Error(`timed out after ${seconds(timeoutMs)} waiting for ${what}; last saw: ${seen}`);
      }
      await sleep(this.wait.pollMs, undefined, this.wait.signal ? { signal: this.wait.signal } : {});
    }
  }

  /** Waits until the object is gone (404). */
  async waitForDeletion(ref: ObjectRef, timeoutMs?: number): Promise<void> {
    await this.waitUntil(
      `${ref.kind} ${refName(ref)} to be deleted`,
      async () => {
        const live = await this.read(ref);
        if (!live) return { value: true, seen: 'gone' };
        const terminating = live.metadata.deletionTimestamp ? ' (terminating)' : '';
        return { seen: `still there${terminating}` };
      },
      timeoutMs,
    );
  }
}

/** Thrown by a probe when waiting longer cannot help (e.g. the process it asks has exited). */
export class GiveUp extends Error {}

export function httpCode(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

/** An API error's Status message (not client-node's whole response dump), or the error's text. */
export function describeError(err: unknown): string {
  if (err instanceof ApiException) {
    const body = typeof err.body === 'string' ? safeJson(err.body) : err.body;
    const message = (body as { message?: string } | undefined)?.message;
    return `HTTP ${err.code}${message ? `: ${message}` : ''}`;
  }
  return err instanceof Error ? err.message : String(err);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}

export const refOf = (obj: KubeObject): ObjectRef => {
  const { name, namespace } = obj.metadata;
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    metadata: { name, ...(namespace ? { namespace } : {}) },
  };
};

export const refName = (ref: ObjectRef): string =>
  ref.metadata.namespace ? `${ref.metadata.namespace}/${ref.metadata.name}` : ref.metadata.name;

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
