// Loading one manifest file: decode its documents, validate each like an API server would, and
// either return the accepted objects or a failure that says where (file, line, column, field)
// and why (the parser's or the API server's message). A file is all or nothing: one bad
// document fails the file, so its previous objects stay in use until it is fixed.

import { type DecodedDocument, decodeEach, type SourcePosition } from '../../resources/decode.js';
import { formatPath } from '../../resources/field-errors.js';
import { type KindInfo, kindInfo } from '../../resources/kinds.js';
import type { KubeObject } from '../../resources/types.js';
import { type KindRef, type ValidatorOptions, validateObject } from '../../resources/validate.js';

export interface LoadedObject {
  object: KubeObject;
  kind: KindRef;
  /** Where the snapshot keeps this kind; undefined for kinds Gatehouse validates but does not use. */
  info: KindInfo | undefined;
  /** `Kind/namespace/name`: what makes two definitions the same object. */
  key: string;
  file: string;
  position: SourcePosition;
}

export interface FileProblem extends SourcePosition {
  file: string;
  /** The field the problem is in, as the API server names it (absent for syntax errors). */
  field?: string;
  message: string;
}

export interface FileLoad {
  objects: LoadedObject[];
  /** Why the file was refused, one entry per failing document (empty when it loaded). */
  failures: FileProblem[];
  warnings: FileProblem[];
  /** Built-in kinds an API server would take but Gatehouse does not read. */
  ignored: string[];
}

export function loadManifest(file: string, text: string, options: ValidatorOptions): FileLoad {
  const load: FileLoad = { objects: [], failures: [], warnings: [], ignored: [] };
  // Each document is validated as soon as it is decoded, so its syntax tree can go at once.
  const errors = decodeEach(file, text, (doc) => loadDocument(doc, options, load));
  if (errors.length > 0) {
    const failures = errors.map((err) => ({ file, line: err.line, column: err.column, message: err.reason }));
    return { objects: [], failures, warnings: [], ignored: [] };
  }
  if (load.failures.length > 0) load.objects = [];
  return load;
}

function loadDocument(doc: DecodedDocument, options: ValidatorOptions, load: FileLoad) {
  const result = validateObject(doc.object, options);
  if (result.outcome === 'ignored') {
    load.ignored.push(`${result.kind.kind} ${describe(doc.object)}`);
    return;
  }
  for (const warning of result.warnings) {
    load.warnings.push({
      file: doc.file,
      ...doc.positionOf(warning.path),
      field: formatPath(warning.path),
      message: warning.message,
    });
  }
  if (result.outcome === 'rejected') {
    const cause = result.error.causes[0];
    load.failures.push({
      file: doc.file,
      ...doc.positionOf(cause?.path ?? []),
      ...(cause && cause.path.length > 0 ? { field: formatPath(cause.path) } : {}),
      message: result.error.message,
    });
    return;
  }
  const { object, kind } = result;
  load.objects.push({
    object,
    kind,
    info: kind.group === kindInfo(kind.kind)?.group ? kindInfo(kind.kind) : undefined,
    key: `${kind.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`,
    file: doc.file,
    position: doc.positionOf([]),
  });
}

function describe(object: unknown): string {
  const meta = (object as { metadata?: { name?: unknown; namespace?: unknown } }).metadata;
  return [meta?.namespace, meta?.name].filter((p) => typeof p === 'string').join('/');
}
