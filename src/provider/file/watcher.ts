// Watches the configured paths with node:fs.watch and reports "something changed", debounced:
// a burst of events (an editor's write, rename and delete while saving) becomes one callback,
// a short hold-off after the last event but never later than a ceiling after the first.
// Events carry no detail on purpose: editors that save by renaming (vim writes `file~`, then a
// new `file`) make per-file events unreliable, so the owner re-reads the whole watched set.
// A directory is watched with one non-recursive fs.watch per directory of its tree (not with
// `recursive: true`: on Linux, Node 20 emulates that by watching each file's inode, and a file
// replaced by rename is then never heard from again); a file through its parent directory, so a
// file replaced by rename is still seen; a path that does not exist yet through its nearest
// existing parent.

import { type FSWatcher, readdirSync, statSync, watch } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isIgnoredName } from './files.js';

export interface DebounceOptions {
  /** Quiet time after the last event before reporting. */
  holdOffMs: number;
  /** Longest wait after the first event of a burst. */
  maxDelayMs: number;
}

export const DEFAULT_DEBOUNCE: DebounceOptions = { holdOffMs: 10, maxDelayMs: 20 };

type TargetKind = 'file' | 'dir' | 'missing';

interface Watch {
  kind: TargetKind;
  /** The directory fs.watch was given. */
  target: string;
  watcher: FSWatcher;
  /** For a directory: the watchers of the directories below it, by path. */
  subdirectories: Map<string, FSWatcher>;
}

export class ChangeWatcher {
  private readonly watches = new Map<string, Watch>();
  private timer: NodeJS.Timeout | undefined;
  private burstStart = 0;
  private closed = false;

  constructor(
    private readonly paths: readonly string[],
    private readonly onChange: () => void,
    private readonly onError: (path: string, err: Error) => void,
    private readonly debounce: DebounceOptions = DEFAULT_DEBOUNCE,
  ) {}

  /**
   * Watches every path; call again after changes so created or deleted paths are followed.
   * When a watch moves, a change is reported: something may have happened in between.
   */
  sync(): void {
    if (this.closed) return;
    let moved = false;
    for (const path of this.paths) {
      const kind = targetKind(path);
      const target = kind === 'dir' ? path : kind === 'file' ? dirname(path) : existingAncestor(path);
      const current = this.watches.get(path);
      if (current?.kind === kind && current.target === target) {
        // Directories created since the last sync may already hold files: read again.
        if (kind === 'dir') moved = this.followSubdirectories(current) || moved;
        continue;
      }
      if (current) closeWatch(current);
      this.watches.delete(path);
      const watcher = this.open(path, kind, target);
      if (!watcher) continue;
      const opened: Watch = { kind, target, watcher, subdirectories: new Map() };
      this.watches.set(path, opened);
      if (kind === 'dir') this.followSubdirectories(opened);
      moved ||= current !== undefined;
    }
    if (moved) this.schedule();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    for (const entry of this.watches.values()) closeWatch(entry);
    this.watches.clear();
  }

  /** Watches every directory below `entry`'s; true when one was added. */
  private followSubdirectories(entry: Watch): boolean {
    const wanted = new Set(subdirectoriesOf(entry.target));
    for (const [dir, watcher] of entry.subdirectories) {
      if (wanted.has(dir)) continue;
      watcher.close();
      entry.subdirectories.delete(dir);
    }
    let added = false;
    for (const dir of wanted) {
      if (entry.subdirectories.has(dir)) continue;
      try {
        const watcher = watch(dir, () => this.schedule());
        watcher.on('error', () => {
          // The directory went away: stop following it; a sync after the re-read reconciles.
          watcher.close();
          if (entry.subdirectories.get(dir) === watcher) entry.subdirectories.delete(dir);
          this.schedule();
        });
        entry.subdirectories.set(dir, watcher);
        added = true;
      } catch {
        // Gone between listing and watching: nothing to follow.
      }
    }
    return added;
  }

  private open(path: string, kind: TargetKind, target: string): FSWatcher | undefined {
    const name = basename(path);
    try {
      const watcher = watch(target, (_event, filename) => {
        // A file's parent directory reports its siblings too; anything else may matter.
        if (kind === 'file' && filename !== null && filename !== name) return;
        this.schedule();
      });
      watcher.on('error', (err) => {
        // The watched directory itself went away: watch from further up and re-read.
        watcher.close();
        if (this.watches.get(path)?.watcher === watcher) this.watches.delete(path);
        this.onError(path, err);
        this.schedule();
      });
      return watcher;
    } catch (err) {
      this.onError(path, err as Error);
      return undefined;
    }
  }

  private schedule(): void {
    if (this.closed) return;
    const now = Date.now();
    if (this.timer === undefined) this.burstStart = now;
    clearTimeout(this.timer);
    const delay = Math.max(
      0,
      Math.min(this.debounce.holdOffMs, this.burstStart + this.debounce.maxDelayMs - now),
    );
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.closed) this.onChange();
    }, delay);
  }
}

function closeWatch(entry: Watch): void {
  entry.watcher.close();
  for (const watcher of entry.subdirectories.values()) watcher.close();
  entry.subdirectories.clear();
}

/** Every directory below `root` that the manifest listing descends into (hidden ones are not). */
function subdirectoriesOf(root: string): string[] {
  const out: string[] = [];
  let entries: { name: string; isDirectory(): boolean }[];
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (!entry.isDirectory() || isIgnoredName(entry.name)) continue;
    const dir = join(root, entry.name);
    out.push(dir, ...subdirectoriesOf(dir));
  }
  return out;
}

function targetKind(path: string): TargetKind {
  try {
    return statSync(path).isDirectory() ? 'dir' : 'file';
  } catch {
    return 'missing';
  }
}

function existingAncestor(path: string): string {
  let dir = dirname(path);
  while (targetKind(dir) !== 'dir' && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
