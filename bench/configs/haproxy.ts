// HAProxy configurations for each RouteSet: one frontend, one backend with `http-reuse always`, no
// logging. Many routes become a map file looked up with `map_beg` on `base` (Host + path), HAProxy's
// indexed prefix lookup, instead of thousands of ACL lines.

import { CHANGE_HOST, changePath, manyHost, manyPrefix, type RouteSet, STABLE_HOST } from './routes.js';

export interface HaproxyBase {
  port: number;
  backendPort: number;
  threads: number;
  /** Connection limit; HAProxy needs about two descriptors per connection. */
  maxconn: number;
  /** Where the map file of a `many` RouteSet lives. */
  mapFile: string;
}

/** Map lines `r<i>.bench.test/r<i>/ app`: the key `base` must start with. */
export function routeMap(count: number): string {
  const lines = Array.from({ length: count }, (_, i) => `${manyHost(i)}${manyPrefix(i)} app`);
  return `${lines.join('\n')}\n`;
}

function routing(routes: RouteSet, mapFile: string): string {
  if (routes.kind === 'catch-all') return '  default_backend app';
  const rules =
    routes.kind === 'many'
      ? ['  use_backend app if { base,map_beg(' + mapFile + ') -m found }']
      : [
          `  use_backend app if { hdr(host) -i ${STABLE_HOST} }`,
          `  use_backend app if { hdr(host) -i ${CHANGE_HOST} } { path ${changePath(routes.generation)} }`,
        ];
  return [...rules, '  default_backend not_found'].join('\n');
}

export function haproxyConfig(base: HaproxyBase, routes: RouteSet): string {
  return `global
  nbthread ${base.threads}
  maxconn ${base.maxconn}

defaults
  mode http
  option http-keep-alive
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  timeout http-keep-alive 300s

frontend proxy
  bind 127.0.0.1:${base.port} backlog 4096
${routing(routes, base.mapFile)}

backend app
  http-reuse always
  server backend 127.0.0.1:${base.backendPort}

backend not_found
  http-request return status 404
`;
}
