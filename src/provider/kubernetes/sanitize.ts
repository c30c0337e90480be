// What is dropped from every object before it is stored: managedFields and kubectl's
// last-applied-configuration annotation are large, change on every write and mean nothing to the
// translator. Lists also omit kind/apiVersion on their items, so both are filled in here.

import type { KindInfo } from '../../resources/kinds.js';
import type { KubeObject } from '../../resources/types.js';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export function sanitize(obj: KubeObject, info: KindInfo): KubeObject {
  const { managedFields: _managed, ...metadata } = obj.metadata;
  if (metadata.annotations && LAST_APPLIED in metadata.annotations) {
    const { [LAST_APPLIED]: _lastApplied, ...rest } = metadata.annotations;
    if (Object.keys(rest).length > 0) metadata.annotations = rest;
    else delete metadata.annotations;
  }
  return {
    ...obj,
    apiVersion: info.group === '' ? info.version : `${info.group}/${info.version}`,
    kind: info.kind,
    metadata,
  };
}
