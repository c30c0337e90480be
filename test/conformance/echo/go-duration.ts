/**
 * Go's `time.ParseDuration`, as the upstream echo server applies it to `?delay=` and `delayRetry=`.
 * The grammar is a sequence of decimal numbers, each with an optional fraction and a unit suffix
 * (`300ms`, `-1.5h`, `2h45m`); units are ns, us, µs, μs, ms, s, m and h. A bare `0` is valid, and a
 * negative duration makes a Go sleep return at once. Errors carry Go's exact messages, because the
 * echo server returns them in its JSON error body.
 */

const NANOS_PER_UNIT: ReadonlyMap<string, number> = new Map([
  ['ns', 1],
  ['us', 1e3],
  ['\u00b5s', 1e3],
  ['\u03bcs', 1e3],
  ['ms', 1e6],
  ['s', 1e9],
  ['m', 60e9],
  ['h', 3600e9],
]);

/** The largest duration Go can hold: 2^63-1 nanoseconds. */
const MAX_NANOS = 2 ** 63;

/** Go's time package quotes the offending input in its errors. */
function goQuote(text: string): string {
  return '"' + text.replace(/[\\"]/g, (c) => '\\' + c) + '"';
}

function invalid(original: string): Error {
  return new Error('time: invalid duration ' + goQuote(original));
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** Parses a Go duration string; returns nanoseconds (a float: precision below 1 ns is irrelevant here). */
export function parseGoDuration(original: string): number {
  let rest = original;
  let negative = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest.startsWith('-');
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw invalid(original);

  let total = 0;
  while (rest !== '') {
    const number = /^(\d*)(?:\.(\d*))?/.exec(rest)!;
    const [matched, whole = '', fraction] = number;
    if (whole === '' && (fraction === undefined || fraction === '')) throw invalid(original);
    rest = rest.slice(matched.length);

    let unitLength = 0;
    while (unitLength < rest.length && rest[unitLength] !== '.' && !isDigit(rest[unitLength])) unitLength++;
    if (unitLength === 0) throw new Error('time: missing unit in duration ' + goQuote(original));
    const unit = rest.slice(0, unitLength);
    rest = rest.slice(unitLength);
    const nanosPerUnit = NANOS_PER_UNIT.get(unit);
    if (nanosPerUnit === undefined) {
      throw new Error('time: unknown unit ' + goQuote(unit) + ' in duration ' + goQuote(original));
    }
    total += Number(`${whole || '0'}.${fraction ?? ''}0`) * nanosPerUnit;
    if (total >= MAX_NANOS) throw invalid(original);
  }
  return negative ? -total : total;
}

/** Parses a Go duration into whole milliseconds for a timer; negative durations become 0. */
export function goDurationMillis(text: string): number {
  return Math.max(0, Math.ceil(parseGoDuration(text) / 1e6));
}
