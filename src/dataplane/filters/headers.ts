// RequestHeaderModifier / ResponseHeaderModifier: set, add and remove on a header object keyed by
// lower-case names (the shape node:http and undici use). `add` appends to an existing value
// comma-joined, as the conformance tests expect (`existing,added`).

import type { HeaderModIR } from '../../ir/types.js';

export type HeaderValue = string | string[] | undefined;
export type HeaderBag = Record<string, HeaderValue>;

export interface HeaderMod {
  readonly set: readonly (readonly [string, string])[];
  readonly add: readonly (readonly [string, string])[];
  readonly remove: readonly string[];
}

/** Lower-cases names once; undefined when the modifier does nothing. */
export function compileHeaderMod(ir: HeaderModIR | undefined): HeaderMod | undefined {
  if (ir === undefined) return undefined;
  if (ir.set.length === 0 && ir.add.length === 0 && ir.remove.length === 0) return undefined;
  return {
    set: ir.set.map((h) => [h.name.toLowerCase(), h.value] as const),
    add: ir.add.map((h) => [h.name.toLowerCase(), h.value] as const),
    remove: ir.remove.map((name) => name.toLowerCase()),
  };
}

/** Applies `mod` to `headers` in place: set, then add, then remove (the spec's order). */
export function applyHeaderMod(mod: HeaderMod, headers: HeaderBag): void {
  for (const [name, value] of mod.set) headers[name] = value;
  for (const [name, value] of mod.add) headers[name] = appendValue(headers[name], value);
  for (const name of mod.remove) delete headers[name];
}

function appendValue(existing: HeaderValue, value: string): HeaderValue {
  if (existing === undefined) return value;
  if (Array.isArray(existing)) return [...existing, value];
  return `${existing},${value}`;
}
