/**
 * What a kubelet reads from a Deployment's pod template to run one echo-basic container: which
 * Deployments can run here at all (echo-basic in HTTP mode; the gRPC, TCP and UDP modes and other
 * images such as CoreDNS are not needed for GATEWAY-HTTP and are skipped), the pod names a
 * ReplicaSet would give (`<deployment>-<template hash>-<suffix>`, which the weight test relies on),
 * and the container environment with the downward API and secret volumes resolved.
 */

import { createHash, randomInt } from 'node:crypto';
import type { AnyObject } from './kube.js';

type Obj = Record<string, unknown>;

export interface ContainerEnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string } };
}

interface VolumeMount {
  name: string;
  mountPath: string;
}

interface Container {
  name: string;
  image?: string;
  env?: ContainerEnvVar[];
  volumeMounts?: VolumeMount[];
}

interface Volume {
  name: string;
  secret?: { secretName: string; items?: { key: string; path: string }[] };
  configMap?: { name: string; items?: { key: string; path: string }[] };
}

/** ConfigMap volumes go through the same lookup as Secrets, under this prefix (data base64-encoded). */
export const CONFIGMAP_SOURCE = 'configmap:';

/** The source a volume's files come from: a Secret name, or a prefixed ConfigMap name. */
export function volumeSource(
  volume: Volume,
): { name: string; items?: { key: string; path: string }[] } | undefined {
  if (volume.secret)
    return { name: volume.secret.secretName, ...(volume.secret.items ? { items: volume.secret.items } : {}) };
  if (volume.configMap) {
    const items = volume.configMap.items;
    return { name: `${CONFIGMAP_SOURCE}${volume.configMap.name}`, ...(items ? { items } : {}) };
  }
  return undefined;
}

export interface PodTemplate {
  labels: Record<string, string>;
  container: Container;
  volumes: Volume[];
}

const ECHO_IMAGE = /\/gateway-api\/echo-basic:/;
const OTHER_MODES = ['GRPC_ECHO_SERVER', 'TCP_ECHO_SERVER', 'UDP_ECHO_SERVER'];
/** The alphabet apimachinery's rand.SafeEncodeString uses (no vowels, no look-alikes). */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function podTemplate(deployment: AnyObject): PodTemplate | undefined {
  const template = (deployment.spec as Obj | undefined)?.template as Obj | undefined;
  const podSpec = template?.spec as { containers?: Container[]; volumes?: Volume[] } | undefined;
  const container = podSpec?.containers?.[0];
  if (!container) return undefined;
  const labels = ((template?.metadata as Obj | undefined)?.labels ?? {}) as Record<string, string>;
  return { labels, container, volumes: podSpec?.volumes ?? [] };
}

/** Why this Deployment is not run here, or undefined when it is an echo-basic HTTP backend. */
export function unsupportedReason(template: PodTemplate): string | undefined {
  if (!ECHO_IMAGE.test(template.container.image ?? '')) {
    return `image ${template.container.image} is not echo-basic`;
  }
  const mode = (template.container.env ?? []).find((e) => OTHER_MODES.includes(e.name) && e.value);
  return mode ? `${mode.name} mode is not implemented by the echo server` : undefined;
}

export function replicasOf(deployment: AnyObject): number {
  const replicas = (deployment.spec as Obj | undefined)?.replicas;
  return typeof replicas === 'number' ? replicas : 1;
}

/** The pod-template-hash label value: a stable 10-character hash of the template. */
export function templateHash(deployment: AnyObject): string {
  const template = (deployment.spec as Obj | undefined)?.template ?? {};
  return safeEncode(createHash('sha256').update(JSON.stringify(template)).digest(), 10);
}

export function podName(deploymentName: string, hash: string): string {
  const suffix = Array.from({ length: 5 }, () => SAFE_ALPHABET[randomInt(SAFE_ALPHABET.length)]).join('');
  return `${deploymentName}-${hash}-${suffix}`;
}

function safeEncode(bytes: Buffer, length: number): string {
  return Array.from(bytes.subarray(0, length), (b) => SAFE_ALPHABET[b % SAFE_ALPHABET.length]).join('');
}

export interface PodIdentity {
  name: string;
  namespace: string;
  ip: string;
}

/**
 * The container's environment: literal values, downward-API fields, and paths into mounted
 * secret volumes replaced by the file's content (the echo server takes inline PEM as well as a
 * path, and the pod has no filesystem of its own).
 */
export function containerEnv(
  template: PodTemplate,
  pod: PodIdentity,
  secretData: (secretName: string) => Record<string, string> | undefined,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of template.container.env ?? []) {
    const field = variable.valueFrom?.fieldRef?.fieldPath;
    const value = field ? downwardField(field, pod) : (variable.value ?? '');
    env[variable.name] = resolveMountedFile(value, template, secretData) ?? value;
  }
  return env;
}

function downwardField(path: string, pod: PodIdentity): string {
  switch (path) {
    case 'metadata.name':
      return pod.name;
    case 'metadata.namespace':
      return pod.namespace;
    case 'status.podIP':
      return pod.ip;
    default:
      return '';
  }
}

function resolveMountedFile(
  value: string,
  template: PodTemplate,
  secretData: (secretName: string) => Record<string, string> | undefined,
): string | undefined {
  for (const mount of template.container.volumeMounts ?? []) {
    const prefix = `${mount.mountPath.replace(/\/$/, '')}/`;
    if (!value.startsWith(prefix)) continue;
    const volume = template.volumes.find((v) => v.name === mount.name);
    const source = volume ? volumeSource(volume) : undefined;
    if (!source) return undefined;
    const file = value.slice(prefix.length);
    const key = source.items ? source.items.find((item) => item.path === file)?.key : file;
    const data = secretData(source.name);
    return key !== undefined && data?.[key] !== undefined
      ? Buffer.from(data[key], 'base64').toString('utf8')
      : undefined;
  }
  return undefined;
}

/** Secret and ConfigMap volumes whose object does not exist yet (a kubelet waits for them before starting). */
export function missingSecrets(
  template: PodTemplate,
  secretData: (secretName: string) => Record<string, string> | undefined,
): string[] {
  return template.volumes
    .map((v) => volumeSource(v)?.name)
    .filter((name): name is string => name !== undefined && secretData(name) === undefined);
}
