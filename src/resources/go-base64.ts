// Where Go's base64.StdEncoding.Decode would reject a string (the API server decodes Secret
// `data` values with it): the byte offset it reports as `illegal base64 data at input byte N`.
// Newlines are skipped and trailing bits are not checked, as in Go's non-strict decoder.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const PAD = 0x3d; // '='
const isNewline = (b: number | undefined) => b === 0x0a || b === 0x0d;
const VALID = new Set([...ALPHABET].map((c) => c.charCodeAt(0)));

/** The offset of the first invalid byte, or undefined when Go would decode `text`. */
export function base64ErrorOffset(text: string): number | undefined {
  const src = Buffer.from(text, 'utf8');
  let si = 0;
  while (si < src.length) {
    const result = decodeQuantum(src, si);
    if (result.error !== undefined) return result.error;
    si = result.next;
  }
  return undefined;
}

/** One 4-character quantum starting at `si` (Go's decodeQuantum, without writing output). */
function decodeQuantum(src: Buffer, start: number): { next: number; error?: number } {
  let si = start;
  for (let j = 0; j < 4; j++) {
    if (si === src.length) {
      return j === 0 ? { next: si } : { next: si, error: si - j };
    }
    const c = src[si++]!;
    if (VALID.has(c)) continue;
    if (isNewline(c)) {
      j--;
      continue;
    }
    if (c !== PAD || j < 2) return { next: si, error: si - 1 };
    if (j === 2) {
      while (isNewline(src[si])) si++;
      if (si === src.length) return { next: si, error: src.length };
      if (src[si] !== PAD) return { next: si, error: si - 1 };
      si++;
    }
    while (isNewline(src[si])) si++;
    return si < src.length ? { next: si, error: si } : { next: si };
  }
  return { next: si };
}
