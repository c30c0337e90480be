// Decoding a manifest file into documents: YAML (one or many `---` documents) or JSON, parsed
// with the `yaml` package, whose document AST keeps source ranges. A `List` (`kind: List` or
// any `...List` with `items`) is expanded into its items. Each document remembers its file and
// can map a field path (`['spec', 'rules', 0, 'matches']`) back to a line and column, so a
// validation error can name the exact place in the file. Empty documents are skipped.

import {
  Composer,
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  Parser,
} from 'yaml';
import { type PathSegment, parseFieldPath } from './field-errors.js';

/** 1-based line and column in a source file. */
export interface SourcePosition {
  line: number;
  column: number;
}

export interface DecodedDocument {
  file: string;
  /** Which document of the file (0-based, counting List items as documents). */
  index: number;
  /** The parsed value, as plain JSON data. */
  object: unknown;
  /**
   * Where a field (segments, or as printed: `spec.rules[0].matches[0].path.type`) is in the
   * file: the position of the deepest part of the path that exists.
   */
  positionOf(path: readonly PathSegment[] | string): SourcePosition;
}

export class DecodeError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}:${column}: ${reason}`);
    this.name = 'DecodeError';
  }
}

export interface DecodeResult {
  documents: DecodedDocument[];
  errors: DecodeError[];
}

const PARSE_OPTIONS = { prettyErrors: false, merge: true, uniqueKeys: true } as const;

/** Splits a manifest file's text into documents (or parse errors with their positions). */
export function decodeManifest(file: string, text: string): DecodeResult {
  const documents: DecodedDocument[] = [];
  const errors = decodeEach(file, text, (doc) => documents.push(doc));
  return errors.length > 0 ? { documents: [], errors } : { documents, errors: [] };
}

/**
 * Decodes a manifest's documents one at a time, handing each to `visit` before the next is
 * parsed, so that a file of thousands of documents never holds all their syntax trees at once
 * (they are the bulk of what parsing allocates). Returns the file's errors: when there are any,
 * the documents already visited must be disregarded, and no more are visited after the first.
 */
export function decodeEach(file: string, text: string, visit: (doc: DecodedDocument) => void): DecodeError[] {
  const lineCounter = new LineCounter();
  const composer = new Composer(PARSE_OPTIONS);
  const parseErrors: DecodeError[] = [];
  let conversionError: DecodeError | undefined;
  let index = 0;
  const errorAt = (offset: number, reason: string) => {
    const { line, col } = lineCounter.linePos(offset);
    return new DecodeError(file, line, col, reason);
  };
  for (const doc of composer.compose(new Parser(lineCounter.addNewLine).parse(text))) {
    for (const err of doc.errors) parseErrors.push(errorAt(err.pos[0], err.message));
    if (parseErrors.length > 0 || conversionError !== undefined || doc.contents === null) continue;
    let object: unknown;
    try {
      object = doc.toJS({ maxAliasCount: 1000 });
    } catch (err) {
      conversionError = errorAt(doc.contents.range?.[0] ?? 0, (err as Error).message);
      continue;
    }
    if (object === null || object === undefined) continue;
    for (const [value, prefix] of expandList(object)) {
      visit(makeDocument(file, index++, value, doc, prefix, lineCounter));
    }
  }
  if (parseErrors.length > 0) return parseErrors;
  return conversionError === undefined ? [] : [conversionError];
}

/** A List's items with their paths inside it, or the object itself. */
function expandList(object: unknown): [unknown, PathSegment[]][] {
  const o = object as { kind?: unknown; items?: unknown };
  const isList = typeof o === 'object' && typeof o.kind === 'string' && o.kind.endsWith('List');
  if (!isList || !Array.isArray(o.items)) return [[object, []]];
  return o.items
    .filter((item) => item !== null)
    .map((item, i): [unknown, PathSegment[]] => [item, ['items', i]]);
}

function makeDocument(
  file: string,
  index: number,
  object: unknown,
  doc: Document.Parsed,
  prefix: PathSegment[],
  lineCounter: LineCounter,
): DecodedDocument {
  return {
    file,
    index,
    object,
    positionOf(path) {
      const segments = typeof path === 'string' ? parseFieldPath(path) : path;
      const node = deepestNode(doc, [...prefix, ...segments]);
      const { line, col } = lineCounter.linePos(node?.range?.[0] ?? 0);
      return { line, column: col };
    },
  };
}

/** Walks the AST along `path`; stops at the last node that exists. */
function deepestNode(doc: Document.Parsed, path: readonly PathSegment[]): Node | undefined {
  let node = resolve(doc, doc.contents);
  for (const seg of path) {
    const next = child(doc, node, seg);
    if (!next) break;
    node = next;
  }
  return node;
}

function child(doc: Document.Parsed, node: Node | undefined, seg: PathSegment): Node | undefined {
  if (isSeq(node) && typeof seg === 'number') return resolve(doc, node.items[seg] as Node | undefined);
  if (!isMap(node)) return undefined;
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? pair.key.value : pair.key;
    if (String(key) !== String(seg)) continue;
    // A key with no value (`name:`) points at the key itself.
    return resolve(doc, (pair.value as Node | null) ?? (pair.key as Node));
  }
  return undefined;
}

function resolve(doc: Document.Parsed, node: Node | null | undefined): Node | undefined {
  if (isAlias(node)) return (node.resolve(doc) as Node | undefined) ?? node;
  return node ?? undefined;
}
