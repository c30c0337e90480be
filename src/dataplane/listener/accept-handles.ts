// More than one descriptor for a listening socket, so that one busy process accepts many
// connections per pass of its event loop. libuv (from 1.45, Node 20) accepts one connection each
// time the poller reports a listening descriptor readable, and under load a pass of the loop
// serves every busy connection once before it reports the listener again: with a thousand busy
// keep-alive connections a pass takes tens of milliseconds, so a thousand clients connecting at
// once waited seconds in the kernel's accept queue (their requests with them). Each extra
// descriptor of the same socket is polled on its own, so a pass accepts up to 1 + EXTRA_ACCEPT_HANDLES
// connections. Node has no dup(); the descriptors come from a short-lived child process that
// sends the socket's handle back over IPC (see handle-echo.ts). Connections accepted on an extra
// descriptor are emitted as 'connection' on the main server, so they are served like any other.
// Best effort: when the handle cannot be duplicated (a node:cluster round-robin handle, a failed
// fork) the server keeps its single descriptor.

import { type ChildProcess, fork } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { LISTEN_BACKLOG } from './bound-server.js';

/**
 * Extra descriptors per listening socket (32 in all; HAProxy accepts up to 64 connections per
 * poll). The price: a new connection wakes every descriptor, and all but one accept() call fail
 * with EAGAIN.
 */
export const EXTRA_ACCEPT_HANDLES = 31;

const ECHO_SCRIPT = new URL('./handle-echo.js', import.meta.url);

/** A listening libuv TCP handle as node:net keeps it (not public API). */
interface TcpHandle {
  readonly fd?: number;
  close(): void;
}

export class AcceptHandles {
  private readonly extra: Server[] = [];
  private closed = false;

  constructor(private readonly main: Server) {}

  /** Descriptors polled for `main`'s socket, its own included. */
  get count(): number {
    return 1 + this.extra.length;
  }

  /** Adds `count` descriptors of the (listening) main server's socket; resolves when they poll. */
  async open(count = EXTRA_ACCEPT_HANDLES): Promise<void> {
    const handle = (this.main as unknown as { _handle?: TcpHandle | null })._handle;
    // A round-robin handle of node:cluster has no descriptor of its own.
    if (count <= 0 || typeof handle?.fd !== 'number' || handle.fd < 0) return;
    const handles = await echoHandle(handle, count).catch(() => []);
    for (const copy of handles) this.listenOn(copy);
  }

  /** Stops polling the extra descriptors (call together with `main.close()`). */
  close(): void {
    this.closed = true;
    for (const server of this.extra.splice(0)) server.close();
  }

  private listenOn(copy: TcpHandle): void {
    if (this.closed) {
      copy.close();
      return;
    }
    const server = createServer({ noDelay: true }, (socket: Socket) => this.main.emit('connection', socket));
    server.on('error', () => server.close());
    server.listen(copy, LISTEN_BACKLOG);
    this.extra.push(server);
  }
}

interface EchoJob {
  readonly count: number;
  readonly copies: TcpHandle[];
  resolve(copies: TcpHandle[]): void;
  reject(error: Error): void;
}

/** The running echo child and the requests it has not finished; one child serves every bind. */
interface EchoSession {
  readonly child: ChildProcess;
  readonly jobs: Map<number, EchoJob>;
}

let session: EchoSession | undefined;
let nextJobId = 0;

/**
 * `count` duplicates of `handle`, sent back by the echo child. Resolves once the child has closed
 * its own copy, so that closing the server's descriptors afterwards closes the socket.
 */
function echoHandle(handle: TcpHandle, count: number): Promise<TcpHandle[]> {
  return new Promise((resolve, reject) => {
    const current = session ?? startEcho();
    const id = nextJobId++;
    current.jobs.set(id, { count, copies: [], resolve, reject });
    current.child.send({ id, count }, handle as never);
  });
}

function startEcho(): EchoSession {
  // Not the parent's flags: --inspect, --cpu-prof and the like are not meant for this helper.
  const child = fork(ECHO_SCRIPT, [], {
    execArgv: [],
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    serialization: 'json',
  });
  const started: EchoSession = { child, jobs: new Map() };
  session = started;
  child.on('message', (message: { id: number; done: boolean }, copy: TcpHandle | undefined) => {
    const job = started.jobs.get(message.id);
    if (job === undefined) copy?.close();
    else if (copy !== undefined) job.copies.push(copy);
    if (job === undefined || !message.done) return;
    started.jobs.delete(message.id);
    settle(job);
    if (started.jobs.size === 0) endEcho(started);
  });
  child.once('error', () => endEcho(started));
  child.once('exit', () => endEcho(started));
  return started;
}

/** Disconnects the child (it then exits); requests it had not finished fail. */
function endEcho(ended: EchoSession): void {
  if (session === ended) session = undefined;
  if (ended.child.connected) ended.child.disconnect();
  for (const job of ended.jobs.values()) settle(job);
  ended.jobs.clear();
}

function settle(job: EchoJob): void {
  if (job.copies.length === job.count) {
    job.resolve(job.copies);
    return;
  }
  for (const copy of job.copies) copy.close();
  job.reject(new Error(`handle echo returned ${job.copies.length} of ${job.count} handles`));
}
