// Continuous traffic for end-to-end tests: N keep-alive clients send requests back to back until
// stopped, and every answer is checked. Used to prove that configuration changes (good or bad)
// never fail a request.

import { type EchoReply, keepAliveClient, type Reply } from '../fixtures/net.js';

export interface TrafficOptions {
  clients: number;
  path?: string;
  host: string;
  /** Returns why an answer is wrong, or undefined when it is right. */
  check(reply: Reply): string | undefined;
}

export interface TrafficResult {
  requests: number;
  failures: string[];
  /** Answers per echo backend name (for answers with a JSON echo body). */
  backends: Map<string, number>;
}

export interface TrafficLoop {
  /** Requests answered so far. */
  readonly requests: number;
  stop(): Promise<TrafficResult>;
}

export function startTraffic(port: number, options: TrafficOptions): TrafficLoop {
  const client = keepAliveClient(port, options.clients);
  const result: TrafficResult = { requests: 0, failures: [], backends: new Map() };
  let running = true;
  let stopped: Promise<TrafficResult> | undefined;
  const loop = async () => {
    while (running) {
      try {
        const reply = await client.get(options.path ?? '/', { host: options.host });
        result.requests++;
        const problem = options.check(reply);
        if (problem) result.failures.push(problem);
        const backend = backendOf(reply);
        if (backend) result.backends.set(backend, (result.backends.get(backend) ?? 0) + 1);
      } catch (err) {
        result.failures.push(`request error: ${(err as Error).message}`);
      }
    }
  };
  const loops = Array.from({ length: options.clients }, loop);
  return {
    get requests() {
      return result.requests;
    },
    stop() {
      if (!stopped) {
        running = false;
        stopped = Promise.all(loops).then(async () => {
          await client.close();
          return result;
        });
      }
      return stopped;
    },
  };
}

function backendOf(reply: Reply): string | undefined {
  if (reply.headers['content-type'] !== 'application/json') return undefined;
  try {
    return (JSON.parse(reply.text()) as EchoReply).backend;
  } catch {
    return undefined;
  }
}

/** A check for answers from one of the named echo backends. */
export function fromBackend(...names: string[]) {
  return (reply: Reply): string | undefined => {
    if (reply.status !== 200) return `status ${reply.status}: ${reply.text().slice(0, 200)}`;
    const backend = backendOf(reply);
    return backend && names.includes(backend) ? undefined : `answered by ${backend ?? '(not an echo)'}`;
  };
}

/** Resolves once `loop` has answered `count` more requests (proof that traffic flowed). */
export async function moreRequests(loop: TrafficLoop, count: number, timeoutMs = 5000): Promise<void> {
  const target = loop.requests + count;
  const deadline = Date.now() + timeoutMs;
  while (loop.requests < target) {
    if (Date.now() > deadline) throw new Error(`traffic stalled at ${loop.requests} requests`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
