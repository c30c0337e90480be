// Condition bookkeeping shared by every status writer: timestamps are kept while a condition's
// status holds, messages are capped, and equality ignores timestamps so no-op writes are skipped.

import type { Condition } from '../resources/types.js';

/** The API server rejects condition messages over 32768 bytes. */
const MAX_MESSAGE = 32768;
const TRUNCATED = ' (message truncated)';

export function capMessage(message: string): string {
  if (Buffer.byteLength(message) <= MAX_MESSAGE) return message;
  let cut = message.slice(0, MAX_MESSAGE - TRUNCATED.length);
  while (Buffer.byteLength(cut) > MAX_MESSAGE - TRUNCATED.length) cut = cut.slice(0, -1);
  return cut + TRUNCATED;
}

/**
 * Stamps `next` conditions with lastTransitionTime: a condition whose status is unchanged from
 * `previous` keeps its old time; a new or flipped one gets `now`.
 */
export function stampConditions(
  next: Condition[],
  previous: Condition[] | undefined,
  now: string,
): Condition[] {
  return next.map((c) => {
    const before = previous?.find((p) => p.type === c.type);
    const lastTransitionTime =
      before && before.status === c.status && before.lastTransitionTime ? before.lastTransitionTime : now;
    // Not `{ ...c, more }`: on Node 20 that gives every condition a hidden class of its own.
    return Object.assign({}, c, { message: capMessage(c.message), lastTransitionTime });
  });
}

/** True when two condition lists say the same thing (order and timestamps ignored). */
export function sameConditions(a: Condition[] | undefined, b: Condition[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  if (x.length !== y.length) return false;
  return x.every((c) => {
    const o = y.find((d) => d.type === c.type);
    return (
      o !== undefined &&
      o.status === c.status &&
      o.reason === c.reason &&
      o.message === c.message &&
      o.observedGeneration === c.observedGeneration
    );
  });
}

/** Replaces (or adds) the condition of the same type. */
export function setCondition(list: Condition[], condition: Condition): Condition[] {
  const out = list.filter((c) => c.type !== condition.type);
  out.push(condition);
  return out;
}
