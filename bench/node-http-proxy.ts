// node-http-proxy as a reverse proxy for the comparison: every request to one backend through a
// keep-alive Agent, the way its README suggests. One process, or a node:cluster of `workers`.
// usage: node dist/bench/node-http-proxy.js <port> <backend-port> <workers>

import cluster from 'node:cluster';
import { Agent, createServer } from 'node:http';
import httpProxy from 'http-proxy';

const [port, backendPort, workers] = process.argv.slice(2).map(Number);

function serve(): void {
  const agent = new Agent({ keepAlive: true, maxSockets: 1024 });
  const proxy = httpProxy.createProxyServer({ target: `http://127.0.0.1:${backendPort}`, agent });
  proxy.on('error', (_err, _req, res) => {
    if ('writeHead' in res && !res.headersSent) res.writeHead(502);
    res.end();
  });
  createServer((req, res) => proxy.web(req, res)).listen(port, '127.0.0.1', 4096);
}

if (cluster.isPrimary && (workers ?? 1) > 1) {
  for (let i = 0; i < workers!; i++) cluster.fork();
} else {
  serve();
}
