// nginx configurations: the backend (a 2-byte 200 with keep-alive) and nginx as a reverse proxy with
// an upstream keep-alive pool, for each RouteSet. Everything nginx writes (pid, logs, temp files)
// stays in the instance's scratch directory; access logs are off, as in the other proxies.

import { CHANGE_HOST, changePath, manyHost, manyPrefix, type RouteSet, STABLE_HOST } from './routes.js';

export interface NginxBase {
  /** Scratch directory of this instance. */
  dir: string;
  port: number;
  workers: number;
  /** File-descriptor limit each worker asks for. */
  fdLimit: number;
}

function mainBlock(base: NginxBase, http: string): string {
  const d = base.dir;
  return `daemon off;
master_process on;
worker_processes ${base.workers};
worker_rlimit_nofile ${base.fdLimit};
pid ${d}/nginx.pid;
error_log ${d}/error.log warn;
events {
  worker_connections ${Math.max(1024, Math.floor(base.fdLimit / 2))};
  multi_accept on;
}
http {
  access_log off;
  keepalive_timeout 300s;
  keepalive_requests 100000000;
  client_body_temp_path ${d}/client_body;
  proxy_temp_path ${d}/proxy;
  fastcgi_temp_path ${d}/fastcgi;
  uwsgi_temp_path ${d}/uwsgi;
  scgi_temp_path ${d}/scgi;
${http}
}
`;
}

export function backendConfig(base: NginxBase): string {
  return mainBlock(
    base,
    `  server {
    listen 127.0.0.1:${base.port} backlog=4096;
    location / {
      default_type text/plain;
      return 200 "ok";
    }
  }`,
  );
}

function serversFor(routes: RouteSet, port: number): string {
  const listen = `listen 127.0.0.1:${port}`;
  const proxy = 'proxy_pass http://backend;';
  if (routes.kind === 'catch-all') {
    return `  server {\n    ${listen} default_server backlog=4096;\n    location / { ${proxy} }\n  }`;
  }
  const notFound = `  server {\n    ${listen} default_server backlog=4096;\n    location / { return 404; }\n  }`;
  if (routes.kind === 'many') {
    const servers = Array.from(
      { length: routes.count },
      (_, i) => `  server { ${listen}; server_name ${manyHost(i)}; location ${manyPrefix(i)} { ${proxy} } }`,
    );
    return [notFound, ...servers].join('\n');
  }
  return [
    notFound,
    `  server { ${listen}; server_name ${STABLE_HOST}; location / { ${proxy} } }`,
    `  server { ${listen}; server_name ${CHANGE_HOST}; location = ${changePath(routes.generation)} { ${proxy} } }`,
  ].join('\n');
}

export function proxyConfig(base: NginxBase, backendPort: number, routes: RouteSet): string {
  const hashSize = routes.kind === 'many' ? Math.max(512, 2 ** Math.ceil(Math.log2(routes.count * 2))) : 512;
  return mainBlock(
    base,
    `  server_names_hash_max_size ${hashSize};
  server_names_hash_bucket_size 64;
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  upstream backend {
    server 127.0.0.1:${backendPort};
    keepalive 512;
    keepalive_requests 100000000;
    keepalive_timeout 300s;
  }
${serversFor(routes, base.port)}`,
  );
}
