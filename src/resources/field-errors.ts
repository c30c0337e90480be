// Field errors shaped and worded like the Kubernetes API server's (apimachinery
// `util/validation/field` and `api/errors`): each error has a type, the field path as the API
// server prints it, the offending value and a detail, and renders as
// `spec.rules[0].matches[0].path.type: Unsupported value: "Foo": supported values: ...`.
// Each error also keeps the path as segments so a caller can point at a line in a file.
// `ApiError` is the whole rejection (`HTTPRoute.gateway.networking.k8s.io "foo" is invalid: ...`).

/** One step of a path into an object: a property name or a list index. */
export type PathSegment = string | number;

export type FieldErrorType =
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'InternalError'
  | 'FieldValueTypeInvalid';

const TYPE_LABELS: Record<FieldErrorType, string> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  InternalError: 'Internal error',
  FieldValueTypeInvalid: 'Invalid value',
};

/** A value printed verbatim (a Go `%#v` rendering of a struct, for instance). */
export class GoRepr {
  constructor(readonly text: string) {}
}

/** Marks an error that prints no value (apimachinery's `omitValue`). */
export const OMIT_VALUE = Symbol('omit-value');

export interface FieldError {
  type: FieldErrorType;
  /** The field as the API server prints it, e.g. `spec.hostnames[0]`; `<nil>` for none. */
  field: string;
  /** The same location as segments into the object (for source positions). */
  path: PathSegment[];
  badValue: unknown;
  detail: string;
}

/** `a.b[0].c` from segments, as apimachinery's field.Path prints child and index steps. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

/** Segments of a printed field path: `spec.rules[0].path`, `data[tls.crt]` (bracketed map key). */
export function parseFieldPath(field: string): PathSegment[] {
  const path: PathSegment[] = [];
  for (const [, name, bracket] of field.matchAll(/([^.[\]]+)|\[([^\]]*)\]/g)) {
    if (name !== undefined) path.push(name);
    else path.push(/^\d+$/.test(bracket!) ? Number(bracket) : bracket!);
  }
  return path;
}

function make(type: FieldErrorType, path: readonly PathSegment[], badValue: unknown, detail: string) {
  return { type, field: formatPath(path), path: [...path], badValue, detail };
}

export const fieldError = {
  required: (path: readonly PathSegment[], detail = ''): FieldError =>
    make('FieldValueRequired', path, '', detail),
  invalid: (path: readonly PathSegment[], value: unknown, detail: string): FieldError =>
    make('FieldValueInvalid', path, value, detail),
  typeInvalid: (path: readonly PathSegment[], value: unknown, detail: string): FieldError =>
    make('FieldValueTypeInvalid', path, value, detail),
  notSupported: (path: readonly PathSegment[], value: unknown, valid: readonly string[]): FieldError =>
    make(
      'FieldValueNotSupported',
      path,
      value,
      valid.length ? `supported values: ${valid.map(goQuote).join(', ')}` : '',
    ),
  duplicate: (path: readonly PathSegment[], value: unknown): FieldError =>
    make('FieldValueDuplicate', path, value, ''),
  forbidden: (path: readonly PathSegment[], detail: string): FieldError =>
    make('FieldValueForbidden', path, '', detail),
  tooLong: (path: readonly PathSegment[], maxLength: number): FieldError =>
    make(
      'FieldValueTooLong',
      path,
      '<value omitted>',
      maxLength >= 0
        ? `may not be more than ${maxLength} ${maxLength === 1 ? 'byte' : 'bytes'}`
        : 'value is too long',
    ),
  tooMany: (path: readonly PathSegment[], actual: number, max: number): FieldError =>
    make(
      'FieldValueTooMany',
      path,
      actual >= 0 ? actual : OMIT_VALUE,
      max >= 0 ? `must have at most ${max} ${max === 1 ? 'item' : 'items'}` : 'has too many items',
    ),
};

/** The same error printed with another field text (e.g. a map key as `data[tls.crt]`). */
export function withField(err: FieldError, field: string): FieldError {
  return { ...err, field };
}

/** An error with no field (apimachinery prints a nil path as `<nil>`), located at `path`. */
export function unlocatedInvalid(path: readonly PathSegment[], value: unknown, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field: '<nil>', path: [...path], badValue: value, detail };
}

/** The error text after the field name (apimachinery's `ErrorBody`). */
export function errorBody(err: FieldError): string {
  const label = TYPE_LABELS[err.type];
  const bare =
    err.type === 'FieldValueRequired' ||
    err.type === 'FieldValueForbidden' ||
    err.type === 'FieldValueTooLong' ||
    err.type === 'InternalError' ||
    err.badValue === OMIT_VALUE;
  const head = bare ? label : `${label}: ${goValue(err.badValue)}`;
  return err.detail ? `${head}: ${err.detail}` : head;
}

export function formatFieldError(err: FieldError): string {
  return `${err.field}: ${errorBody(err)}`;
}

/** Joins errors like apimachinery's aggregate: deduplicated, bracketed when more than one. */
export function aggregate(errors: readonly FieldError[]): string {
  const messages = [...new Set(errors.map(formatFieldError))];
  return messages.length === 1 ? messages[0]! : `[${messages.join(', ')}]`;
}

/** Go's `%q` for a string: JSON-like, but with Go's escapes for the odd control characters. */
export function goQuote(s: string): string {
  return JSON.stringify(s)
    .replace(/\\u0007/g, '\\a')
    .replace(/\\u000b/g, '\\v')
    .replace(/\\u00([0-1][0-9a-f])/g, '\\x$1')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** How Go prints a decoded JSON value with `%v` (scalars) or `%#v` (maps and lists). */
export function goValue(value: unknown): string {
  if (value instanceof GoRepr) return value.text;
  if (value === null || value === undefined) return '"null"';
  if (typeof value === 'string') return goQuote(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  if (Array.isArray(value)) return `[]interface {}{${value.map(goValue).join(', ')}}`;
  const entries = Object.keys(value as object)
    .sort()
    .map((k) => `${goQuote(k)}:${goValue((value as Record<string, unknown>)[k])}`);
  return `map[string]interface {}{${entries.join(', ')}}`;
}

export type ApiErrorReason = 'Invalid' | 'BadRequest' | 'NotFound';

const STATUS_CODES: Record<ApiErrorReason, number> = { Invalid: 422, BadRequest: 400, NotFound: 404 };

/** The object an Invalid error is about (metav1.StatusDetails). */
export interface ObjectDetails {
  group: string;
  kind: string;
  name: string;
}

/** A rejected object: the API server's Status message plus the field errors behind it. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly reason: ApiErrorReason,
    readonly causes: readonly FieldError[],
    readonly details?: ObjectDetails,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The metav1.Status body an API server answers with. */
  toStatus(): Record<string, unknown> {
    const causes = this.causes.map((c) => ({ reason: c.type, message: errorBody(c), field: c.field }));
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: { ...this.details, causes } } : {}),
      code: STATUS_CODES[this.reason],
    };
  }

  /** `Kind.group "name" is invalid: <errors>` (422 Invalid). */
  static invalid(kind: string, group: string, name: string, causes: readonly FieldError[]): ApiError {
    const qualified = group ? `${kind}.${group}` : kind;
    const message = `${qualified} ${goQuote(name)} is invalid: ${aggregate(causes)}`;
    return new ApiError(message, 'Invalid', causes, { group, kind, name });
  }

  /** `Kind in version "v1" cannot be handled as a Kind: <reason>` (400, a decoding failure at `path`). */
  static undecodable(
    kind: string,
    version: string,
    reason: string,
    path: readonly PathSegment[] = [],
  ): ApiError {
    return new ApiError(
      `${kind} in version ${goQuote(version)} cannot be handled as a ${kind}: ${reason}`,
      'BadRequest',
      [make('FieldValueInvalid', path, OMIT_VALUE, reason)],
    );
  }

  /** The REST mapper's answer for an unknown kind or an unserved version. */
  static noMatch(kind: string, apiVersion: string): ApiError {
    return new ApiError(
      `no matches for kind ${goQuote(kind)} in version ${goQuote(apiVersion)}`,
      'NotFound',
      [fieldError.invalid(['kind'], kind, 'no matches for this kind')],
    );
  }
}
