// The printable form of a translation: `statuses:` then `ir:`, map keys sorted so equal results
// print equal text. Golden files and `gatehouse translate` both use it.

import { stringify } from 'yaml';
import type { TranslateResult } from './types.js';

export type RenderFormat = 'yaml' | 'json';

export function renderTranslation(result: TranslateResult, format: RenderFormat = 'yaml'): string {
  const value = { statuses: sortKeys(result.statuses), ir: sortKeys(result.ir) };
  if (format === 'json') return `${JSON.stringify(value, null, 2)}\n`;
  return stringify(value, { aliasDuplicateObjects: false, lineWidth: 0 });
}

export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)]));
  }
  return value;
}
