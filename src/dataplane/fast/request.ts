// One request on a fast-engine connection: what its head said (method, target, the flat header
// array and what one scan of it found) and where its body goes. Body bytes that arrive before the
// request has a destination (pipelined requests wait their turn) are kept until it has one; once
// the response is complete, the rest of the body is read and dropped.

import type { Exchange, ExchangeStart } from '../exchange.js';
import { BaseMatchRequest } from '../router/match.js';
import { type RequestScan, sameName, scanRequest } from './head.js';

/** Where request body bytes go: the upstream exchange, or a stream for the undici path. */
export interface BodySink {
  write(chunk: Buffer): void;
  end(): void;
}

/** Told when the client connection closes before the response is complete. */
export interface ClientGone {
  clientGone(): void;
}

const DISCARD: BodySink = { write() {}, end() {} };

export class FastRequest implements RequestScan, ExchangeStart {
  authority = '';
  forwardedFor = '';
  chunked = false;
  hasBody = false;
  expectContinue = false;
  connectionNames = false;
  upgrade = '';
  requestIdHeader: string | undefined = undefined;
  /** The observer's record, once the request is being answered. */
  record: Exchange | undefined;
  /** Status sent to the client (0 until a response head is written). */
  status = 0;
  bytesIn = 0;
  bytesOut = 0;
  /** HTTP/1.1 or later (else HTTP/1.0). */
  readonly http11: boolean;
  readonly isHead: boolean;
  /** Set when the response is under way; told if the client leaves. */
  exchange: ClientGone | undefined;
  private sink: BodySink | undefined;
  private buffered: Buffer[] | undefined;
  /** The whole body has been received. */
  bodyDone = false;

  constructor(
    readonly method: string,
    readonly url: string,
    readonly raw: string[],
    versionMajor: number,
    versionMinor: number,
    public keepAlive: boolean,
  ) {
    this.http11 = versionMajor > 1 || (versionMajor === 1 && versionMinor >= 1);
    this.isHead = method === 'HEAD';
    scanRequest(raw, this);
  }

  /** The first value of a header (any case), repeated ones joined with ', '. */
  header(lower: string): string | undefined {
    const raw = this.raw;
    let value: string | undefined;
    for (let i = 0; i < raw.length; i += 2) {
      if (!sameName(raw[i] as string, lower)) continue;
      value = value === undefined ? (raw[i + 1] as string) : `${value}, ${raw[i + 1]}`;
    }
    return value;
  }

  /** The request target, as the observer's record names it (ExchangeStart). */
  get path(): string {
    return this.url;
  }

  get protocol(): string {
    return this.http11 ? 'HTTP/1.1' : 'HTTP/1.0';
  }

  /** Completes the observer's record (once). */
  finish(errorKind: 'client_abort' | undefined): void {
    const record = this.record;
    if (record === undefined) return;
    this.record = undefined;
    if (errorKind !== undefined && record.errorKind === '') record.errorKind = errorKind;
    record.finish(this.status, this.bytesIn, this.bytesOut);
  }

  pushBody(chunk: Buffer): void {
    this.bytesIn += chunk.length;
    if (this.sink !== undefined) this.sink.write(chunk);
    else if (this.buffered === undefined) this.buffered = [chunk];
    else this.buffered.push(chunk);
  }

  endBody(): void {
    this.bodyDone = true;
    this.sink?.end();
  }

  /** Sends the body (what arrived so far, then the rest) to `sink`. */
  attachBody(sink: BodySink): void {
    this.sink = sink;
    const buffered = this.buffered;
    if (buffered !== undefined) {
      this.buffered = undefined;
      for (const chunk of buffered) sink.write(chunk);
    }
    if (this.bodyDone) sink.end();
  }

  /** The response is complete: whatever body is still to come is dropped. */
  detachBody(): void {
    this.sink = DISCARD;
    this.buffered = undefined;
  }
}

/** The router's view of a fast-engine request. */
export class FastMatchRequest extends BaseMatchRequest {
  constructor(
    private readonly request: FastRequest,
    host: string,
  ) {
    const url = request.url;
    const q = url.indexOf('?');
    super(request.method, host, q === -1 ? url : url.slice(0, q), q === -1 ? '' : url.slice(q + 1));
  }

  header(name: string): string | undefined {
    return this.request.header(name);
  }
}
