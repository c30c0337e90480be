// RequestMirror: fire-and-forget copies of a request. The copy's response is discarded and its
// failures ignored; its body comes from a tee of the client's body that never slows the main
// request: a mirror that falls more than MIRROR_BUFFER_LIMIT behind is dropped.

import { PassThrough, type Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { HeaderBag } from '../filters/headers.js';
import type { Endpoint } from './registry.js';

const MIRROR_BUFFER_LIMIT = 1024 * 1024;
const MIRROR_TIMEOUT_MS = 30_000;

/** Ignores everything: one shared instance serves every mirror request. */
const discard: Dispatcher.DispatchHandler = {
  onRequestStart() {},
  onResponseStart() {},
  onResponseData() {},
  onResponseEnd() {},
  onResponseError() {},
};

export interface MirrorRequest {
  method: string;
  path: string;
  headers: HeaderBag;
  body: Readable | null;
}

export function sendMirror(endpoint: Endpoint, request: MirrorRequest): void {
  try {
    endpoint.dispatcher.dispatch(
      {
        method: request.method as Dispatcher.HttpMethod,
        path: request.path,
        headers: request.headers as Record<string, string | string[]>,
        body: request.body,
        headersTimeout: MIRROR_TIMEOUT_MS,
        bodyTimeout: MIRROR_TIMEOUT_MS,
      },
      discard,
    );
  } catch {
    request.body?.destroy();
  }
}

/**
 * Splits `source` into a main stream, read at the main upstream's pace (backpressure reaches the
 * client), and `copies` mirror streams that buffer at most MIRROR_BUFFER_LIMIT each.
 */
export function teeBody(source: Readable, copies: number): { main: Readable; mirrors: PassThrough[] } {
  const main = new PassThrough();
  const mirrors = Array.from({ length: copies }, () => new PassThrough());
  // Errors reach the requests reading these streams; none may go unhandled before they start.
  main.on('error', ignore);
  for (const mirror of mirrors) mirror.on('error', ignore);
  const resume = () => source.resume();
  source.on('data', (chunk: Buffer) => {
    for (const mirror of mirrors) {
      if (mirror.destroyed) continue;
      mirror.write(chunk);
      if (mirror.writableLength > MIRROR_BUFFER_LIMIT) mirror.destroy();
    }
    if (!main.destroyed && !main.write(chunk)) {
      source.pause();
      main.once('drain', resume);
    }
  });
  source.once('end', () => {
    main.end();
    for (const mirror of mirrors) mirror.end();
  });
  source.once('close', () => {
    if (source.readableEnded) return;
    main.destroy(new Error('client request body aborted'));
    for (const mirror of mirrors) mirror.destroy();
  });
  main.once('close', () => {
    if (!source.readableEnded) source.resume();
  });
  return { main, mirrors };
}

function ignore(): void {}
