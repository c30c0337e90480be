// Bounded label values for per-request metrics: a request's method and status are folded into
// fixed classes, so no client can create series (methods are free-form tokens in HTTP).

export const METHOD_CLASSES = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'other'] as const;

/** '1xx'…'5xx'; `none` when no response was sent, `other` for codes outside 100–599. */
export const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx', 'none', 'other'] as const;

/** Index into METHOD_CLASSES; methods are case-sensitive tokens, so `get` is `other`. */
export function methodClassIndex(method: string): number {
  switch (method) {
    case 'GET':
      return 0;
    case 'HEAD':
      return 1;
    case 'POST':
      return 2;
    case 'PUT':
      return 3;
    case 'DELETE':
      return 4;
    case 'PATCH':
      return 5;
    case 'OPTIONS':
      return 6;
    default:
      return 7;
  }
}

/** Index into STATUS_CLASSES. */
export function statusClassIndex(status: number): number {
  if (status === 0) return 5;
  if (status < 100 || status > 599) return 6;
  return Math.floor(status / 100) - 1;
}
