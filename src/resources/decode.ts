// Decoding a manifest file into documents: YAML (one or many `---` documents) or JSON, parsed
// with the `yaml` package, whose document AST keeps source ranges. A `List` (`kind: List` or
// any `...List` with `items`) is expanded into its items. Each document remembers its file and
// can map a field path (`['spec', 'rules', 0, 'matches']`) back to a line and column, so a
// validation error can name the exact place in the file. Empty documents are skipped.

import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseAllDocuments,
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
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { ...PARSE_OPTIONS, lineCounter });
  const docs = Array.isArray(parsed) ? parsed : [];
  const errors = docs.flatMap((doc) =>
    doc.errors.map((err) => {
      const { line, col } = lineCounter.linePos(err.pos[0]);
      return new DecodeError(file, line, col, err.message);
    }),
  );
  if (errors.length > 0) return { documents: [], errors };

  const documents: DecodedDocument[] = [];
  for (const doc of docs) {
    if (doc.contents === null) continue;
    let object: unknown;
    try {
      object = doc.toJS({ maxAliasCount: 1000 });
    } catch (err) {
      const { line, col } = lineCounter.linePos(doc.contents.range?.[0] ?? 0);
      return { documents: [], errors: [new DecodeError(file, line, col, (err as Error).message)] };
    }
    if (object === null || object === undefined) continue;
    for (const [value, prefix] of expandList(object)) {
      documents.push(makeDocument(file, documents.length, value, doc, prefix, lineCounter));
    }
  }
  return { documents, errors: [] };
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
