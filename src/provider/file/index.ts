// The file provider's public surface: watch manifest files and directories, hand on snapshots.

export type { FileProviderOptions, SnapshotInfo } from './provider.js';
export { FileProvider } from './provider.js';
export type { DebounceOptions } from './watcher.js';
