// Clusters: a Service port and its endpoints. Endpoints come from the EndpointSlices labelled
// kubernetes.io/service-name=<service> in the Service's namespace, using the slice port whose name
// equals the Service port's name (an unnamed port matches ""). Endpoints whose ready condition is
// false are left out; an absent condition counts as ready, as the EndpointSlice API says.
// Headless Services work the same way. A Service without slices yields a cluster without
// endpoints, which the data plane answers with 503.

import { isIPv4 } from 'node:net';
import type { ClusterIR, EndpointIR, UpstreamTlsIR } from '../ir/types.js';
import type { EndpointSlice } from '../resources/types.js';
import { findServicePort } from './backendrefs.js';
import type { TranslateContext } from './context.js';
import { asArray, asInteger, asRecord, asString, asStringList, compareStrings } from './values.js';

/** Finds the upstream TLS settings of a Service port (`namespace/name`, port name). */
export type UpstreamTlsLookup = (service: string, portName: string) => UpstreamTlsIR | undefined;

/** Builds the cluster named `<namespace>/<service>:<port>`, or undefined if that port is gone. */
export function buildCluster(
  ctx: TranslateContext,
  name: string,
  tlsFor?: UpstreamTlsLookup,
): ClusterIR | undefined {
  const slash = name.indexOf('/');
  const colon = name.lastIndexOf(':');
  const namespace = name.slice(0, slash);
  const service = name.slice(slash + 1, colon);
  const port = Number(name.slice(colon + 1));
  const servicePort = findServicePort(ctx.services.get(`${namespace}/${service}`)?.spec, port);
  if (!servicePort) return undefined;
  const portName = asString(servicePort.name) ?? '';
  const slices = ctx.endpointSlices.get(`${namespace}/${service}`) ?? [];
  const cluster: ClusterIR = {
    name,
    protocol: servicePort.appProtocol === 'kubernetes.io/h2c' ? 'h2c' : 'http1',
    endpoints: readyEndpoints(slices, portName),
  };
  const tls = tlsFor?.(`${namespace}/${service}`, portName);
  if (tls) cluster.tls = tls;
  return cluster;
}

function readyEndpoints(slices: EndpointSlice[], portName: string): EndpointIR[] {
  const unique = new Map<string, EndpointIR>();
  for (const slice of slices) {
    const slicePort = asArray(slice.ports).find((p) => (asString(asRecord(p)?.name) ?? '') === portName);
    const port = asInteger(asRecord(slicePort)?.port);
    if (port === undefined) continue;
    for (const endpoint of asArray(slice.endpoints)) {
      const record = asRecord(endpoint);
      if (asRecord(record?.conditions)?.ready === false) continue;
      for (const address of asStringList(record?.addresses))
        unique.set(`${address} ${port}`, { address, port });
    }
  }
  return [...unique.values()].sort((a, b) => compareAddresses(a.address, b.address) || a.port - b.port);
}

/** IPv4 addresses in numeric order (10.0.0.9 before 10.0.0.10); anything else as strings. */
function compareAddresses(a: string, b: string): number {
  if (isIPv4(a) && isIPv4(b)) {
    const x = a.split('.').map(Number);
    const y = b.split('.').map(Number);
    for (let i = 0; i < 4; i++) {
      const diff = (x[i] ?? 0) - (y[i] ?? 0);
      if (diff !== 0) return diff;
    }
    return 0;
  }
  return compareStrings(a, b);
}
