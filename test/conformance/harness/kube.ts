/**
 * The harness's Kubernetes client: generic reads and writes through client-node's discovery-based
 * object API (as kubectl and controller-runtime's unstructured client do), plus the pod status
 * subresource the kubelet stand-in writes. 404s on reads and deletes are answers, not errors.
 */
import {
  ApiException,
  CoreV1Api,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  type V1Pod,
} from '@kubernetes/client-node';
import type { KubeObject } from '../../../src/resources/types.js';

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

export const GATEWAY_V1 = 'gateway.networking.k8s.io/v1';

/** Any Kubernetes object, with its kind-specific fields (spec, status, data, ...) left open. */
export interface AnyObject extends KubeObject {
  [field: string]: unknown;
}

export class Kube {
  private readonly objects: KubernetesObjectApi;
  private readonly core: CoreV1Api;

  constructor(readonly config: KubeConfig) {
    this.objects = KubernetesObjectApi.makeApiClient(config);
    this.core = config.makeApiClient(CoreV1Api);
  }

  async get<T extends AnyObject = AnyObject>(ref: ObjectRef): Promise<T | undefined> {
    try {
      return (await this.objects.read(header(ref))) as unknown as T;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Like `get`, but a missing object is an error. */
  async mustGet<T extends AnyObject = AnyObject>(ref: ObjectRef): Promise<T> {
    const obj = await this.get<T>(ref);
    if (!obj) throw new Error(`${ref.kind} ${refName(ref)} not found`);
    return obj;
  }

  async list<T extends AnyObject = AnyObject>(
    apiVersion: string,
    kind: string,
    namespace?: string,
  ): Promise<T[]> {
    const list = await this.objects.list(apiVersion, kind, namespace);
    return list.items.map((item) => ({ apiVersion, kind, ...item }) as unknown as T);
  }

  async create<T extends AnyObject>(obj: T): Promise<T> {
    return (await this.objects.create(obj as unknown as KubernetesObject)) as unknown as T;
  }

  async update<T extends AnyObject>(obj: T): Promise<T> {
    return (await this.objects.replace(obj as unknown as KubernetesObject)) as unknown as T;
  }

  /** A JSON merge patch (RFC 7386) of `patch` onto the object `ref` names. */
  async mergePatch<T extends AnyObject = AnyObject>(
    ref: ObjectRef,
    patch: Record<string, unknown>,
  ): Promise<T> {
    const body = { ...patch, ...header(ref) } as KubernetesObject;
    return (await this.objects.patch(
      body,
      undefined,
      undefined,
      undefined,
      undefined,
      PatchStrategy.MergePatch,
    )) as unknown as T;
  }

  /** Deletes the object; resolves false when it was already gone. */
  async delete(ref: ObjectRef): Promise<boolean> {
    try {
      await this.objects.delete(header(ref) as KubernetesObject);
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async replacePodStatus(pod: V1Pod): Promise<V1Pod> {
    return this.core.replaceNamespacedPodStatus({
      name: pod.metadata?.name ?? '',
      namespace: pod.metadata?.namespace ?? '',
      body: pod,
    });
  }
}

export function refOf(obj: AnyObject): ObjectRef {
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    name: obj.metadata.name,
    ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
  };
}

export function refName(ref: { namespace?: string; name: string }): string {
  return ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name;
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiException && error.code === 404;
}

export function isAlreadyExists(error: unknown): boolean {
  return error instanceof ApiException && error.code === 409;
}

function header(ref: ObjectRef): KubernetesObject & { metadata: { name: string } } {
  return {
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) },
  };
}
