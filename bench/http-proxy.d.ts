// The part of node-http-proxy's API that bench/node-http-proxy.ts uses (the package ships no types,
// and @types/http-proxy would be one more dependency for four lines).

declare module 'http-proxy' {
  import type { Agent, IncomingMessage, ServerResponse } from 'node:http';
  import type { Socket } from 'node:net';

  interface ProxyServer {
    web(req: IncomingMessage, res: ServerResponse): void;
    on(
      event: 'error',
      listener: (err: Error, req: IncomingMessage, res: ServerResponse | Socket) => void,
    ): ProxyServer;
  }

  const httpProxy: {
    createProxyServer(options: { target: string; agent?: Agent }): ProxyServer;
  };
  export default httpProxy;
}
