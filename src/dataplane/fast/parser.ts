// Node's own HTTP/1.1 parser (llhttp, the one node:http runs on), reached through the
// `_http_common` module that node:http itself uses. It is a native binding: headers arrive as one
// flat [name, value, name, value, ...] array of strings and body bytes as Buffer slices, with no
// IncomingMessage, header object or stream built per request. Present with the same shape on
// Node 20 and Node 24 (checked by the engine tests), without deprecation warnings.

import { createRequire } from 'node:module';
import type { Socket } from 'node:net';

/** Callback slots are numbered properties of the parser (HTTPParser.kOn*). */
export interface HttpParser {
  initialize(type: number, resource: object, maxHeaderSize?: number, lenient?: number): void;
  /** Reads straight from a stream handle in C++; results come to the kOnExecute callback. */
  consume(stream: unknown): void;
  unconsume(): void;
  /** The buffer being parsed (consumed mode), for the bytes after an upgrade head. */
  getCurrentBuffer(): Buffer;
  /** Bytes parsed, or an Error carrying `code` (HPE_*) and `bytesParsed`. */
  execute(data: Buffer): number | ParseError;
  finish(): number | ParseError | undefined;
  close(): void;
  free(): void;
  remove(): void;
  [slot: number]: unknown;
}

export interface ParseError extends Error {
  code: string;
  bytesParsed: number;
}

interface HttpParserClass {
  new (): HttpParser;
  readonly REQUEST: number;
  readonly RESPONSE: number;
  readonly kOnHeaders: number;
  readonly kOnHeadersComplete: number;
  readonly kOnBody: number;
  readonly kOnMessageComplete: number;
  readonly kOnExecute: number;
}

const common = createRequire(import.meta.url)('_http_common') as {
  HTTPParser: HttpParserClass;
  methods: string[];
};

export const HTTPParser = common.HTTPParser;
/** Method names by the index llhttp reports. */
export const METHODS: readonly string[] = common.methods;

/** Largest request or response head accepted (node:http's default). */
export const MAX_HEADER_SIZE = 16 * 1024;

/** `onHeadersComplete` gets these positional arguments (the binding's calling convention). */
export type HeadersComplete = (
  versionMajor: number,
  versionMinor: number,
  headers: string[] | undefined,
  method: number | undefined,
  url: string | undefined,
  statusCode: number | undefined,
  statusMessage: string | undefined,
  upgrade: boolean,
  shouldKeepAlive: boolean,
) => number | undefined;

export function isParseError(result: unknown): result is ParseError {
  return typeof result === 'object' && result !== null;
}

/** The parser's callbacks; `headers` receives the parts of a head that arrives in pieces. */
export interface ParserCallbacks {
  headers(headers: string[], url: string): void;
  headersComplete: HeadersComplete;
  body(chunk: Buffer): void;
  messageComplete(): void;
}

/** The libuv stream handle under a net.Socket (node:http's server reaches it the same way). */
interface StreamHandle {
  isStreamBase?: boolean;
  reading?: boolean;
  readStart(): number;
  readStop(): number;
}

function handleOf(socket: Socket): StreamHandle | undefined {
  return (socket as unknown as { _handle?: StreamHandle | null })._handle ?? undefined;
}

/**
 * Lets `parser` read `socket` directly, as node:http's server does: bytes go from libuv to
 * llhttp without a Buffer and 'data' event per read; `onExecute` gets each read's result.
 * False when the socket offers no handle to consume (it is then read with 'data' events).
 */
export function consumeSocket(
  socket: Socket,
  parser: HttpParser,
  onExecute: (result: number | ParseError) => void,
): boolean {
  const handle = handleOf(socket);
  if (handle?.isStreamBase !== true) return false;
  parser[HTTPParser.kOnExecute] = onExecute;
  parser.consume(handle);
  return true;
}

/** Starts or stops reading a (consumed) socket at the handle. */
export function setReading(socket: Socket, reading: boolean): void {
  const handle = handleOf(socket);
  if (handle === undefined || handle.reading === reading) return;
  handle.reading = reading;
  if (reading) handle.readStart();
  else handle.readStop();
}

/** A parser of `type`; `owner` is the async resource the binding reports callbacks under. */
export function newParser(type: number, owner: object, callbacks: ParserCallbacks): HttpParser {
  const parser = new HTTPParser();
  parser.initialize(type, owner, MAX_HEADER_SIZE, 0);
  parser[HTTPParser.kOnHeaders] = callbacks.headers;
  parser[HTTPParser.kOnHeadersComplete] = callbacks.headersComplete;
  parser[HTTPParser.kOnBody] = callbacks.body;
  parser[HTTPParser.kOnMessageComplete] = callbacks.messageComplete;
  return parser;
}
