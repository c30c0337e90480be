// Which files the file provider reads: each configured path is a manifest file (read whatever
// its extension) or a directory, searched recursively for *.yaml, *.yml and *.json. Hidden
// entries and editor leftovers (backup `file~`, vim swap files, emacs lock and autosave files)
// are skipped, so an editor saving a file never makes its scratch copies look like manifests.

import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';

const MANIFEST_EXTENSIONS = ['.yaml', '.yml', '.json'];

/** Editor scratch files and hidden entries, judged by name alone. */
export function isIgnoredName(name: string): boolean {
  return (
    name.startsWith('.') ||
    name.endsWith('~') ||
    /\.sw[a-p]$/.test(name) ||
    (name.startsWith('#') && name.endsWith('#')) ||
    name === '4913' // vim's probe file when checking it may write a directory
  );
}

export function isManifestName(name: string): boolean {
  return !isIgnoredName(name) && MANIFEST_EXTENSIONS.some((ext) => name.toLowerCase().endsWith(ext));
}

export interface PathListing {
  /** Manifest files, in a stable order (paths in the order given, directory contents sorted). */
  files: string[];
  /** Configured paths that do not exist (yet). */
  missing: string[];
}

export async function listManifestFiles(paths: readonly string[]): Promise<PathListing> {
  const files: string[] = [];
  const missing: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (!info) missing.push(path);
    else if (info.isDirectory()) files.push(...(await walk(path)));
    else if (!isIgnoredName(basename(path))) files.push(path);
  }
  return { files: [...new Set(files)], missing };
}

async function walk(dir: string): Promise<string[]> {
  const entries: Dirent[] = await readdir(dir, { withFileTypes: true }).catch(() => []);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: string[] = [];
  for (const entry of entries) {
    if (isIgnoredName(entry.name)) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(full)));
    else if (entry.isFile() && isManifestName(entry.name)) out.push(full);
    else if (entry.isSymbolicLink() && isManifestName(entry.name)) out.push(full);
  }
  return out;
}
