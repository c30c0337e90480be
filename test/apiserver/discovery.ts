// The discovery documents clients use to map kinds to resources: /api (APIVersions), /api/v1 and
// /apis/<group>/<version> (APIResourceList: name, singularName, namespaced, kind, verbs,
// shortNames, and a `<plural>/status` entry per status subresource, after its main resource as
// on a real server), /apis (APIGroupList), /apis/<group> (APIGroup) and /version. Custom
// resource groups appear and disappear with their CRDs.

import { compareKubeVersions } from './crds.js';
import type { ServedType } from './registry.js';

export const KUBERNETES_VERSION = { major: '1', minor: '31', gitVersion: 'v1.31.0' };

interface GroupVersionEntry {
  groupVersion: string;
  version: string;
}

function resourceEntries(types: ServedType[]): Record<string, unknown>[] {
  const entries: Record<string, unknown>[] = [];
  for (const type of [...types].sort((a, b) => a.plural.localeCompare(b.plural))) {
    const entry: Record<string, unknown> = {
      name: type.plural,
      singularName: type.singular,
      namespaced: type.namespaced,
      kind: type.kind,
      verbs: type.verbs,
    };
    if (type.shortNames.length > 0) entry.shortNames = type.shortNames;
    entries.push(entry);
    if (type.statusSubresource) {
      entries.push({
        name: `${type.plural}/status`,
        singularName: '',
        namespaced: type.namespaced,
        kind: type.kind,
        verbs: ['get', 'patch', 'update'],
      });
    }
  }
  return entries;
}

/** APIResourceList for one group/version, or undefined when nothing is served there. */
export function resourceList(
  types: ServedType[],
  group: string,
  version: string,
): Record<string, unknown> | undefined {
  const served = types.filter((t) => t.group === group && t.versions.includes(version));
  if (served.length === 0) return undefined;
  const groupVersion = group ? `${group}/${version}` : version;
  const list: Record<string, unknown> = {
    kind: 'APIResourceList',
    groupVersion,
    resources: resourceEntries(served),
  };
  if (group) list.apiVersion = 'v1';
  return list;
}

export function coreVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupEntry(types: ServedType[], group: string): Record<string, unknown> | undefined {
  const versions: string[] = [];
  for (const type of types) {
    if (type.group !== group) continue;
    for (const v of type.versions) if (!versions.includes(v)) versions.push(v);
  }
  if (versions.length === 0) return undefined;
  versions.sort(compareKubeVersions);
  const entries: GroupVersionEntry[] = versions.map((version) => ({
    groupVersion: `${group}/${version}`,
    version,
  }));
  return { name: group, versions: entries, preferredVersion: entries[0] };
}

export function apiGroup(types: ServedType[], group: string): Record<string, unknown> | undefined {
  const entry = groupEntry(types, group);
  return entry && { kind: 'APIGroup', apiVersion: 'v1', ...entry };
}

export function apiGroupList(types: ServedType[]): Record<string, unknown> {
  const groups: string[] = [];
  for (const type of types) if (type.group && !groups.includes(type.group)) groups.push(type.group);
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groups.map((g) => groupEntry(types, g)).filter((g) => g !== undefined),
  };
}

export function versionInfo(): Record<string, unknown> {
  return {
    ...KUBERNETES_VERSION,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2024-08-13T00:00:00Z',
    goVersion: 'go1.22.5',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}
