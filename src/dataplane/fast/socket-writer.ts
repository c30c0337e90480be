// Writes latin1 strings (message heads, small bodies) straight to a socket's libuv handle — the
// call node:net's Writable makes underneath — without the Writable's work per write: its state
// checks, a request object and a callback deferred to the next tick. On the proxy's hot path that
// is two writes per request and about a tenth of its user CPU time (bench/README.md).
//
// Writes made during one pass of the event loop are held and go out together right after its
// poll phase (one setImmediate for every writer), several to the same socket as one. Under load a
// pass handles dozens of requests: sent as they were produced, each write to the upstream or the
// load balancer in front found its reader asleep and paid for waking it (a cross-CPU wake-up is
// the largest kernel cost per request on loopback); sent together, one wake-up serves the batch.
// A lone request waits only for the rest of its own pass.
//
// Order is kept: the direct path is taken only when the Writable has nothing queued (and is not
// corked, which gathers writes into one), held bytes go before anything written another way
// (writeBytes, cork and end flush first; a caller that destroys or hands over the socket calls
// `flush()`), and every write, direct or not, lands in libuv's one write queue. A write the kernel
// could not take whole stays queued in libuv and completes later; until it does, the writer
// reports backpressure and `onceDrain` waits for it. Where the handle's write request class is not
// available (another runtime), every write goes through socket.write at once.

import type { Socket } from 'node:net';

/** A write request of the stream binding; `owner` and `oncomplete` are what completion calls. */
interface WriteRequest {
  handle: StreamHandle;
  oncomplete: (this: WriteRequest, status: number) => void;
  async: boolean;
  bytes: number;
  buffer: null;
  owner: SocketWriter;
}

interface StreamHandle {
  writeLatin1String(request: WriteRequest, data: string): number;
}

interface StreamBinding {
  WriteWrap: new () => WriteRequest;
  streamBaseState: Int32Array;
  kLastWriteWasAsync: number;
}

function loadBinding(): StreamBinding | undefined {
  try {
    const binding = (process as unknown as { binding(name: string): StreamBinding }).binding('stream_wrap');
    const usable =
      typeof binding.WriteWrap === 'function' &&
      binding.streamBaseState !== undefined &&
      typeof binding.kLastWriteWasAsync === 'number';
    return usable ? binding : undefined;
  } catch {
    return undefined;
  }
}

const BINDING = loadBinding();

/** Whether writes take the direct path on this runtime (the engine tests check both paths). */
export const directWrites = BINDING !== undefined;

/** Held bytes past this size are written at once (bounds what one busy pass can hold). */
const HOLD_LIMIT = 64 * 1024;

/** Writers holding bytes, flushed by one setImmediate per loop pass. */
const holding: SocketWriter[] = [];

function flushHolding(): void {
  for (let i = 0; i < holding.length; i++) (holding[i] as SocketWriter).flush();
  holding.length = 0;
}

function onWriteComplete(this: WriteRequest, status: number): void {
  this.owner.completed(status);
}

export class SocketWriter {
  /**
   * A request for the next write. One the kernel took whole was never bound to a native write, so
   * it is used again; one that went pending is left to its completion and not reused.
   */
  private spare: WriteRequest | undefined;
  /** Direct writes the kernel has not taken whole yet. */
  private pending = 0;
  private drainWaiters: (() => void)[] | undefined;
  /** Bytes written during this loop pass, not yet handed to the kernel. */
  private held = '';

  constructor(
    private readonly socket: Socket,
    private readonly direct = directWrites,
  ) {}

  /** Writes `data` as latin1; false when the caller should wait for `onceDrain` before more. */
  write(data: string): boolean {
    if (!this.directPath()) {
      this.flush();
      return this.socket.write(data, 'latin1') && this.pending === 0;
    }
    if (this.held === '') {
      holding.push(this);
      if (holding.length === 1) setImmediate(flushHolding);
    }
    this.held += data;
    if (this.held.length >= HOLD_LIMIT) this.flush();
    return this.pending === 0;
  }

  /** Hands the held bytes to the kernel now. */
  flush(): void {
    const data = this.held;
    if (data === '') return;
    this.held = '';
    if (!this.directPath()) {
      // Ended or destroyed without a flush first: nothing can be sent (a write would only error).
      if (!this.socket.destroyed && !this.socket.writableEnded) this.socket.write(data, 'latin1');
      return;
    }
    const handle = (this.socket as unknown as { _handle: StreamHandle })._handle;
    const request = this.spare ?? this.newRequest(handle);
    this.spare = undefined;
    const error = handle.writeLatin1String(request, data);
    if (error !== 0) {
      // EPIPE, ECONNRESET...: the connection is gone; its close handling reports it.
      this.socket.destroy();
      return;
    }
    if (BINDING?.streamBaseState[BINDING.kLastWriteWasAsync] === 0) this.spare = request;
    else this.pending++;
  }

  private directPath(): boolean {
    const socket = this.socket;
    return (
      this.direct &&
      BINDING !== undefined &&
      (socket as unknown as { _handle?: StreamHandle | null })._handle != null &&
      !socket.connecting &&
      socket.writableCorked === 0 &&
      socket.writableLength === 0 &&
      !socket.writableEnded &&
      !socket.destroyed
    );
  }

  /** Writes bytes through the socket's Writable (after any pending direct write, in order). */
  writeBytes(chunk: Buffer): boolean {
    this.flush();
    return this.socket.write(chunk) && this.pending === 0;
  }

  /** Corks the socket, held bytes sent first (what the caller writes next goes after them). */
  cork(): void {
    this.flush();
    this.socket.cork();
  }

  /** Ends the socket, held bytes sent first. */
  end(data?: string): void {
    this.flush();
    if (data === undefined) this.socket.end();
    else this.socket.end(data, 'latin1');
  }

  /** No direct write is pending. */
  get idle(): boolean {
    return this.pending === 0;
  }

  /** Calls `listener` once the bytes written so far have left (at once when none wait). */
  onceDrain(listener: () => void): void {
    if (this.pending > 0) {
      this.drainWaiters ??= [];
      this.drainWaiters.push(listener);
    } else if (this.socket.writableNeedDrain) {
      this.socket.once('drain', listener);
    } else {
      queueMicrotask(listener);
    }
  }

  /** A pending direct write finished (status < 0: it failed). */
  completed(status: number): void {
    this.pending--;
    if (status < 0) {
      this.socket.destroy();
      return;
    }
    if (this.pending > 0 || this.drainWaiters === undefined) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = undefined;
    for (const waiter of waiters) this.onceDrain(waiter);
  }

  private newRequest(handle: StreamHandle): WriteRequest {
    const request = new (BINDING as StreamBinding).WriteWrap();
    request.handle = handle;
    request.oncomplete = onWriteComplete;
    request.async = false;
    request.bytes = 0;
    request.buffer = null;
    request.owner = this;
    return request;
  }
}
