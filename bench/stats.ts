// Statistics over benchmark rounds: median with its min and max, percentiles of a sample, and the
// ratio of Gatehouse's median to another proxy's. Pure functions; the report and the scenarios share them.

/** One figure across rounds. `undefined` fields mean "no sample" (e.g. the proxy was skipped). */
export interface Spread {
  median: number;
  min: number;
  max: number;
  samples: number[];
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** NaN (no figure) is dropped; Infinity (a request that never completed) is kept and ranks last. */
export function spread(values: readonly number[]): Spread | undefined {
  const kept = values.filter((v) => !Number.isNaN(v));
  if (kept.length === 0) return undefined;
  return { median: median(kept), min: Math.min(...kept), max: Math.max(...kept), samples: kept };
}

/**
 * Nearest-rank percentile (`p` in 0..100) of an unsorted sample. Infinity stands for a request that
 * never completed, so a tail made of failures shows as Infinity instead of disappearing.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/** `ours / theirs`, or undefined when either side is missing or the divisor is zero. */
export function ratio(ours: number | undefined, theirs: number | undefined): number | undefined {
  if (ours === undefined || theirs === undefined) return undefined;
  if (!Number.isFinite(ours) || !Number.isFinite(theirs) || theirs === 0) return undefined;
  return ours / theirs;
}

/** Per-round samples of several named metrics, collected into one Spread per metric. */
export function spreadsOf(
  rounds: ReadonlyArray<Readonly<Record<string, number | undefined>>>,
): Record<string, Spread> {
  const names = new Set(rounds.flatMap((r) => Object.keys(r)));
  const out: Record<string, Spread> = {};
  for (const name of names) {
    const values = rounds.map((r) => r[name]).filter((v): v is number => v !== undefined);
    const s = spread(values);
    if (s) out[name] = s;
  }
  return out;
}
