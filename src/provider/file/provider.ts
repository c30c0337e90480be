// The file provider: Gateway API and core objects from YAML/JSON files instead of a cluster.
// It reads every manifest under the configured paths, validates each object as an API server
// would (file mode accepts loopback endpoint addresses, which is how local backends are
// addressed), and hands a fresh ResourceSnapshot to `onSnapshot` on start and after every
// change that alters the objects. A file that fails to parse or validate is logged once (file,
// line, column, field, message) and its last good objects stay; other files still apply. The
// same object defined twice keeps its first definition. Changes are picked up with fs.watch.
// An editor saving in place truncates the file before writing it: a file that turns empty is
// believed only once it has stayed empty for a moment, so its objects do not blink out.

import { readFile } from 'node:fs/promises';
import { componentLogger, type Logger } from '../../observability/logger.js';
import type { ResourceSnapshot } from '../../resources/kinds.js';
import type { KubeObject } from '../../resources/types.js';
import { precompileValidation, type ValidatorOptions } from '../../resources/validate.js';
import { listManifestFiles } from './files.js';
import { type FileProblem, type LoadedObject, loadManifest } from './load.js';
import { digest, MetadataTracker } from './object-metadata.js';
import { buildSnapshot, type Duplicate, sameObjects } from './snapshot.js';
import { ChangeWatcher, type DebounceOptions } from './watcher.js';

export interface SnapshotInfo {
  /** 1 for the first snapshot, then +1 for each one handed on. */
  revision: number;
  /** Files read (changed, added or removed) since the previous snapshot. */
  changedFiles: string[];
  /** Files whose current content is refused (their last good objects are in the snapshot). */
  failedFiles: string[];
  /** Epoch ms the first file change behind this snapshot was seen (absent for the initial load). */
  firstChangeAt?: number;
}

/** How long an emptied file must stay empty before its objects are dropped. */
export const EMPTIED_FILE_GRACE_MS = 500;

export interface FileProviderOptions {
  /** Manifest files and directories. */
  paths: string[];
  logger: Logger;
  /** Receives a new snapshot object each time; it is never modified afterwards. */
  onSnapshot(snapshot: ResourceSnapshot, info: SnapshotInfo): void;
  /** Validation settings; file mode allows loopback endpoint addresses unless told otherwise. */
  validation?: ValidatorOptions;
  debounce?: DebounceOptions;
}

interface FileState {
  /** Digest of the content last read (the text itself is not kept: it can be megabytes). */
  digest: string;
  /** The objects of the last content that loaded (kept while the current content fails). */
  good: LoadedObject[];
  failed: boolean;
}

export class FileProvider {
  private readonly log: Logger;
  private readonly validation: ValidatorOptions;
  private readonly files = new Map<string, FileState>();
  private readonly tracker = new MetadataTracker();
  private watcher: ChangeWatcher | undefined;
  private lastObjects: KubeObject[] | undefined;
  private revision = 0;
  private changedSinceSnapshot = new Set<string>();
  private reportedDuplicates = new Set<string>();
  private reportedMissing = new Set<string>();
  /** Files read empty that had objects, with when they were first seen empty. */
  private readonly emptiedAt = new Map<string, number>();
  private pending = false;
  /** When the watcher first reported a change not read yet. */
  private changeSeenAt: number | undefined;
  private running: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly options: FileProviderOptions) {
    this.log = componentLogger(options.logger, 'provider.file');
    this.validation = { allowLoopbackEndpoints: true, ...options.validation };
  }

  /** Loads every file, hands on the first snapshot, then keeps watching. */
  async start(): Promise<void> {
    // Before the first load, so the first edit of a kind the files lacked is not the slow one.
    precompileValidation();
    this.watcher = new ChangeWatcher(
      this.options.paths,
      () => {
        this.changeSeenAt ??= Date.now();
        this.requestReload();
      },
      (path, err) => this.log.debug({ path, err: err.message }, 'watch interrupted; watching again'),
      this.options.debounce,
    );
    this.watcher.sync();
    this.requestReload();
    await this.running;
  }

  /** Stops watching; resolves once a reload in progress has finished. No snapshot follows. */
  async close(): Promise<void> {
    this.closed = true;
    this.watcher?.close();
    await this.running;
  }

  private requestReload(): void {
    if (this.closed) return;
    this.pending = true;
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
  }

  private async drain(): Promise<void> {
    while (this.pending && !this.closed) {
      this.pending = false;
      try {
        await this.reload();
      } catch (err) {
        this.log.error({ err: (err as Error).message }, 'reloading manifests failed');
      }
      this.watcher?.sync();
    }
  }

  private async reload(): Promise<void> {
    const changedAt = this.changeSeenAt;
    this.changeSeenAt = undefined;
    const { files, missing } = await listManifestFiles(this.options.paths);
    this.reportMissing(missing);
    const listed = new Set(files);
    let changed = this.lastObjects === undefined;
    for (const file of files) {
      // A file gone between listing and reading (an editor mid-save) is read on the next event.
      const text = await readFile(file, 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      const sum = digest(text);
      if (this.files.get(file)?.digest === sum) continue;
      if (this.maybeMidWrite(file, text)) continue;
      this.applyFile(file, text, sum);
      changed = true;
    }
    for (const file of [...this.files.keys()].filter((f) => !listed.has(f))) {
      this.files.delete(file);
      this.changedSinceSnapshot.add(file);
      this.log.info({ file }, `${file}: removed; its objects are gone`);
      changed = true;
    }
    if (changed && !this.closed) this.publish(changedAt);
  }

  /**
   * True while `file`, which had objects, reads empty for less than the grace period: most
   * likely a write in progress. A re-read is scheduled for when the grace period ends.
   */
  private maybeMidWrite(file: string, text: string): boolean {
    if (text.trim() !== '' || !this.files.get(file)?.good.length) {
      this.emptiedAt.delete(file);
      return false;
    }
    const now = performance.now();
    const since = this.emptiedAt.get(file);
    if (since === undefined) {
      this.emptiedAt.set(file, now);
      this.log.debug({ file }, `${file}: empty; keeping its objects unless it stays empty`);
      setTimeout(() => this.requestReload(), EMPTIED_FILE_GRACE_MS).unref();
      return true;
    }
    if (now - since < EMPTIED_FILE_GRACE_MS) return true;
    this.emptiedAt.delete(file);
    return false;
  }

  private applyFile(file: string, text: string, sum: string): void {
    const previous = this.files.get(file);
    const load = loadManifest(file, text, this.validation);
    this.changedSinceSnapshot.add(file);
    for (const warning of load.warnings) this.log.warn(problemFields(warning), problemText(warning));
    for (const ignored of load.ignored)
      this.log.debug({ file }, `${file}: ${ignored} ignored (not a kind Gatehouse reads)`);
    for (const unused of load.objects.filter((o) => !o.info)) {
      this.log.debug(
        { file, kind: unused.kind.kind },
        `${file}: ${unused.key} is valid but not used by Gatehouse`,
      );
    }
    if (load.failures.length === 0) {
      this.files.set(file, { digest: sum, good: load.objects, failed: false });
      this.log.info(
        { file, objects: load.objects.length },
        `${file}: loaded ${load.objects.length} object(s)`,
      );
      return;
    }
    const kept = previous?.good ?? [];
    this.files.set(file, { digest: sum, good: kept, failed: true });
    const first = load.failures[0]!;
    const message = load.failures.map(problemText).join('; ');
    this.log.error({ ...problemFields(first), keptObjects: kept.length }, message);
  }

  private publish(changedAt: number | undefined): void {
    const built = buildSnapshot(
      [...this.files.values()].map((state) => state.good),
      this.tracker,
    );
    this.reportDuplicates(built.duplicates);
    if (this.lastObjects && sameObjects(this.lastObjects, built.objects)) return;
    this.lastObjects = built.objects;
    const info: SnapshotInfo = {
      revision: ++this.revision,
      changedFiles: [...this.changedSinceSnapshot],
      failedFiles: [...this.files].filter(([, state]) => state.failed).map(([file]) => file),
      ...(changedAt === undefined ? {} : { firstChangeAt: changedAt }),
    };
    this.changedSinceSnapshot = new Set();
    try {
      this.options.onSnapshot(built.snapshot, info);
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'snapshot consumer failed');
    }
  }

  private reportDuplicates(duplicates: Duplicate[]): void {
    const current = new Set<string>();
    for (const { key, kept, dropped } of duplicates) {
      const signature = `${key}|${kept.file}:${kept.position.line}|${dropped.file}:${dropped.position.line}`;
      current.add(signature);
      if (this.reportedDuplicates.has(signature)) continue;
      const [kind, namespace, name] = key.split('/');
      const where = (o: LoadedObject) => `${o.file}:${o.position.line}`;
      this.log.error(
        {
          kind,
          resource: namespace ? `${namespace}/${name}` : name,
          file: dropped.file,
          line: dropped.position.line,
          firstFile: kept.file,
        },
        `${kind} ${namespace ? `${namespace}/` : ''}${name} is defined twice: in ${where(kept)} and in ${where(dropped)}; keeping the first`,
      );
    }
    this.reportedDuplicates = current;
  }

  private reportMissing(missing: string[]): void {
    for (const path of missing) {
      if (!this.reportedMissing.has(path))
        this.log.warn({ path }, `${path}: no such file or directory (watching for it)`);
    }
    this.reportedMissing = new Set(missing);
  }
}

function problemFields(p: FileProblem) {
  return { file: p.file, line: p.line, column: p.column, ...(p.field ? { field: p.field } : {}) };
}

function problemText(p: FileProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.message}`;
}
