// Public entry points for embedding Gatehouse as a library.

export type * from './dataplane/types.js';
export type * from './ir/types.js';
export * from './resources/kinds.js';
export type * from './resources/types.js';
export type * from './translator/types.js';
