// Watches the configured paths with node:fs.watch and reports "something changed", debounced:
// a burst of events (an editor's write, rename and delete while saving) becomes one callback,
// a short hold-off after the last event but never later than a ceiling after the first.
// Events carry no detail on purpose: editors that save by renaming (vim writes `file~`, then a
// new `file`) make per-file events unreliable, so the owner re-reads the whole watched set.
// A directory is watched recursively; a file through its parent directory, so a file replaced
// by rename is still seen; a path that does not exist yet through its nearest existing parent.

import { type FSWatcher, statSync, watch } from 'node:fs';
import { basename, dirname } from 'node:path';

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
      if (current?.kind === kind && current.target === target) continue;
      current?.watcher.close();
      this.watches.delete(path);
      const watcher = this.open(path, kind, target);
      if (watcher) this.watches.set(path, { kind, target, watcher });
      moved ||= current !== undefined;
    }
    if (moved) this.schedule();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    for (const { watcher } of this.watches.values()) watcher.close();
    this.watches.clear();
  }

  private open(path: string, kind: TargetKind, target: string): FSWatcher | undefined {
    const name = basename(path);
    try {
      const watcher = watch(target, { recursive: kind === 'dir' }, (_event, filename) => {
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
