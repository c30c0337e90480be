// Node's own HTTP/1.1 parser (llhttp, the one node:http runs on), reached through the
// `_http_common` module that node:http itself uses. It is a native binding: headers arrive as one
// flat [name, value, name, value, ...] array of strings and body bytes as Buffer slices, with no
// IncomingMessage, header object or stream built per request. Present with the same shape on
// Node 20 and Node 24 (checked by the engine tests), without deprecation warnings.

import { createRequire } from 'node:module';

/** Callback slots are numbered properties of the parser (HTTPParser.kOn*). */
export interface HttpParser {
  initialize(type: number, resource: object, maxHeaderSize?: number, lenient?: number): void;
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
