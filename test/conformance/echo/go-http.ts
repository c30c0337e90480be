/**
 * The small pieces of Go's net/http and encoding/json behaviour that the upstream echo server shows
 * on the wire: canonical header names (`x-foo-bar` → `X-Foo-Bar`), `url.ParseQuery` (which skips
 * pairs holding a `;` or a bad escape), `ServeMux` path cleaning, JSON with Go's HTML-safe escaping,
 * and the `ip:port` form of `Request.RemoteAddr`. Node hands header bytes over as latin1 strings;
 * Go keeps raw bytes and JSON-encodes them as UTF-8, so `bytesToUtf8` converts between the two.
 */

const TOKEN_CHAR = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Go's `textproto.CanonicalMIMEHeaderKey`; names with non-token bytes are returned unchanged. */
export function canonicalHeaderKey(name: string): string {
  if (!TOKEN_CHAR.test(name)) return name;
  let upper = true;
  let out = '';
  for (const c of name) {
    out += upper ? c.toUpperCase() : c.toLowerCase();
    upper = c === '-';
  }
  return out;
}

/** Node decodes header and request-target bytes as latin1; reread those bytes as UTF-8 like Go's JSON. */
export function bytesToUtf8(latin1: string): string {
  return /[^\u0000-\u007f]/.test(latin1) ? Buffer.from(latin1, 'latin1').toString('utf8') : latin1;
}

/** Go's `url.QueryUnescape` (or `PathUnescape` when `plusIsSpace` is false); undefined on a bad escape. */
export function goUnescape(text: string, plusIsSpace: boolean): string | undefined {
  if (/%(?![0-9A-Fa-f]{2})/.test(text)) return undefined;
  const spaced = plusIsSpace ? text.replace(/\+/g, ' ') : text;
  const bytes = Buffer.from(spaced, 'latin1');
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x25) {
      out.push(Number.parseInt(bytes.subarray(i + 1, i + 3).toString('latin1'), 16));
      i += 2;
    } else {
      out.push(bytes[i]!);
    }
  }
  return Buffer.from(out).toString('utf8');
}

/** Go's `url.ParseQuery`: pairs in order; a pair with `;` or a bad escape is skipped, not fatal. */
export function parseGoQuery(rawQuery: string): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (const pair of rawQuery.split('&')) {
    if (pair === '' || pair.includes(';')) continue;
    const eq = pair.indexOf('=');
    const key = goUnescape(eq < 0 ? pair : pair.slice(0, eq), true);
    const value = goUnescape(eq < 0 ? '' : pair.slice(eq + 1), true);
    if (key === undefined || value === undefined) continue;
    values.set(key, [...(values.get(key) ?? []), value]);
  }
  return values;
}

/** Go's `path.Clean` for a rooted path. */
function cleanRooted(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  return '/' + segments.join('/');
}

/** net/http's `cleanPath`: rooted `path.Clean` that keeps a trailing slash. */
export function cleanPath(path: string): string {
  if (path === '') return '/';
  const rooted = path.startsWith('/') ? path : '/' + path;
  const cleaned = cleanRooted(rooted);
  return rooted.endsWith('/') && cleaned !== '/' ? cleaned + '/' : cleaned;
}

/** Go's `url.URL.String()` escaping of a path, enough for a redirect's Location. */
export function escapeGoPath(path: string): string {
  return encodeURI(path).replace(/[?#]/g, (c) => encodeURIComponent(c));
}

/**
 * `json.MarshalIndent(v, "", " ")` (or `json.Marshal` without indent): the same layout as
 * JSON.stringify, plus Go's escaping of <, >, & and the JavaScript line separators.
 */
export function goJson(value: unknown, indent?: string): string {
  return JSON.stringify(value, null, indent).replace(
    /[<>&\u2028\u2029]/g,
    (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'),
  );
}

/** Go's `Request.RemoteAddr`: `ip:port`, IPv6 in brackets, IPv4-mapped IPv6 shown as IPv4. */
export function goRemoteAddr(address: string | undefined, port: number | undefined): string {
  const ip = (address ?? '').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  return `${ip.includes(':') ? `[${ip}]` : ip}:${port ?? 0}`;
}

/** Go's `textproto.TrimString`: strips ASCII space, tab, CR and LF. */
export function trimGoSpace(text: string): string {
  return text.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
}
