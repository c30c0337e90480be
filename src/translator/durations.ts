// Gateway API durations (GEP-2257): one to four `<1-5 digits><unit>` parts, units h, m, s, ms,
// e.g. `1h30m`, `500ms`, `0s`. The CRD pattern is ^([0-9]{1,5}(h|m|s|ms)){1,4}$; input that skipped
// CRD validation is checked against it here.

const DURATION = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;
const PART = /([0-9]{1,5})(ms|h|m|s)/g;

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** Milliseconds, or undefined when `value` is not a Gateway API duration. */
export function parseDuration(value: string): number | undefined {
  if (!DURATION.test(value)) return undefined;
  let total = 0;
  for (const [, digits, unit] of value.matchAll(PART)) {
    total += Number(digits) * (UNIT_MS[unit ?? ''] ?? 0);
  }
  return total;
}
