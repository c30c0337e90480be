// Error bodies of the API server double, shaped as kube-apiserver shapes them: every failure is
// a `kind: Status` object whose code, reason, message and details follow apimachinery's
// `k8s.io/apimachinery/pkg/api/errors` constructors, and field errors render as
// `k8s.io/apimachinery/pkg/util/validation/field` renders them ("<path>: Invalid value: ...").
// Handlers throw ApiError; the router turns it into the HTTP response.

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** A failed request; `status` is the body the server sends. */
export class ApiError extends Error {
  constructor(readonly status: Status) {
    super(status.message ?? status.reason ?? `HTTP ${status.code}`);
  }
}

export interface GroupResource {
  group: string;
  resource: string;
}

export interface GroupKind {
  group: string;
  kind: string;
}

/** The apiserver's OptimisticLockErrorMsg. */
export const OPTIMISTIC_LOCK_MESSAGE =
  'the object has been modified; please apply your changes to the latest version and try again';

export function failure(code: number, reason: string, message: string, details?: StatusDetails): ApiError {
  const status: Status = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  };
  if (details) status.details = details;
  return new ApiError(status);
}

/** `leases.coordination.k8s.io`, or just `services` for the core group. */
export function qualifiedResource(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

function qualifiedKind(gk: GroupKind): string {
  return gk.group ? `${gk.kind}.${gk.group}` : gk.kind;
}

function resourceDetails(gr: GroupResource, name: string): StatusDetails {
  // The apiserver puts the resource (plural) into details.kind for these errors.
  const details: StatusDetails = { name, kind: gr.resource };
  if (gr.group) details.group = gr.group;
  return details;
}

export function notFound(gr: GroupResource, name: string): ApiError {
  return failure(404, 'NotFound', `${qualifiedResource(gr)} "${name}" not found`, resourceDetails(gr, name));
}

export function alreadyExists(gr: GroupResource, name: string): ApiError {
  return failure(
    409,
    'AlreadyExists',
    `${qualifiedResource(gr)} "${name}" already exists`,
    resourceDetails(gr, name),
  );
}

export function conflict(gr: GroupResource, name: string, detail = OPTIMISTIC_LOCK_MESSAGE): ApiError {
  const message = `Operation cannot be fulfilled on ${qualifiedResource(gr)} "${name}": ${detail}`;
  return failure(409, 'Conflict', message, resourceDetails(gr, name));
}

export function badRequest(message: string): ApiError {
  return failure(400, 'BadRequest', message);
}

export function methodNotSupported(gr: GroupResource, action: string): ApiError {
  const message = `${action} is not supported on resources of kind "${qualifiedResource(gr)}"`;
  const details: StatusDetails = { kind: gr.resource };
  if (gr.group) details.group = gr.group;
  return failure(405, 'MethodNotAllowed', message, details);
}

/** 410 with reason Expired: what a compacted resourceVersion gets from list and watch. */
export function expired(message: string): ApiError {
  return failure(410, 'Expired', message);
}

export function gone(message: string): ApiError {
  return failure(410, 'Gone', message);
}

export function forbidden(gr: GroupResource, name: string, detail: string, causes?: StatusCause[]): ApiError {
  const message = `${qualifiedResource(gr)} "${name}" is forbidden: ${detail}`;
  const details = resourceDetails(gr, name);
  if (causes) details.causes = causes;
  return failure(403, 'Forbidden', message, details);
}

export function unsupportedMediaType(contentType: string, accepted: readonly string[]): ApiError {
  const message = `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`;
  return failure(415, 'UnsupportedMediaType', message, {
    causes: [{ reason: 'UnsupportedMediaType', message: contentType }],
  });
}

export function tooLargeResourceVersion(requested: number, current: number): ApiError {
  const message = `Too large resource version: ${requested}, current: ${current}`;
  return failure(504, 'Timeout', message, {
    causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
    retryAfterSeconds: 1,
  });
}

export function unauthorized(): ApiError {
  return failure(401, 'Unauthorized', 'Unauthorized');
}

export function internalError(message: string): ApiError {
  return failure(500, 'InternalError', `Internal error occurred: ${message}`, {
    causes: [{ message }],
  });
}

/** A success Status, as DELETE returns for an object removed at once. */
export function successStatus(details: StatusDetails): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details, code: 200 };
}

// ---- field errors (k8s.io/apimachinery/pkg/util/validation/field) ----

export type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueDuplicate'
  | 'FieldValueForbidden'
  | 'FieldValueTooMany'
  | 'FieldValueTooLong';

const TYPE_TEXT: Record<FieldErrorType, string> = {
  FieldValueRequired: 'Required value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooMany: 'Too many',
  FieldValueTooLong: 'Too long',
};

const NO_VALUE = Symbol('no value');

export interface FieldError {
  type: FieldErrorType;
  field: string;
  value: unknown;
  detail: string;
  /** A ready-made message after the field path, used as is (errors from a validation hook). */
  body?: string;
}

export const fieldErrors = {
  required: (field: string, detail = ''): FieldError => ({
    type: 'FieldValueRequired',
    field,
    value: NO_VALUE,
    detail,
  }),
  invalid: (field: string, value: unknown, detail: string): FieldError => ({
    type: 'FieldValueInvalid',
    field,
    value,
    detail,
  }),
  notSupported: (field: string, value: unknown, supported: readonly string[]): FieldError => ({
    type: 'FieldValueNotSupported',
    field,
    value,
    detail: `supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`,
  }),
  duplicate: (field: string, value: unknown): FieldError => ({
    type: 'FieldValueDuplicate',
    field,
    value,
    detail: '',
  }),
  forbidden: (field: string, detail: string): FieldError => ({
    type: 'FieldValueForbidden',
    field,
    value: NO_VALUE,
    detail,
  }),
  tooMany: (field: string, actual: number, max: number): FieldError => ({
    type: 'FieldValueTooMany',
    field,
    value: actual,
    detail: `must have at most ${max} items`,
  }),
  /** An error whose text was composed elsewhere (e.g. a CRD schema validator). */
  preformatted: (field: string, body: string, type: FieldErrorType = 'FieldValueInvalid'): FieldError => ({
    type,
    field,
    value: NO_VALUE,
    detail: '',
    body,
  }),
};

/** Go's rendering of a bad value: numbers and booleans bare, strings quoted, the rest as JSON. */
function renderValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** The part of the error after the field path, e.g. `Invalid value: "x": must be ...`. */
export function fieldErrorBody(error: FieldError): string {
  if (error.body !== undefined) return error.body;
  const text = TYPE_TEXT[error.type];
  let body =
    error.value === NO_VALUE || error.type === 'FieldValueForbidden'
      ? text
      : `${text}: ${renderValue(error.value)}`;
  if (error.detail) body += `: ${error.detail}`;
  return body;
}

export function fieldErrorString(error: FieldError): string {
  return error.field ? `${error.field}: ${fieldErrorBody(error)}` : fieldErrorBody(error);
}

/** utilerrors.NewAggregate's message: one error bare, several as `[a, b]`, duplicates dropped. */
function aggregateMessage(messages: string[]): string {
  const unique = [...new Set(messages)];
  return unique.length === 1 ? unique[0]! : `[${unique.join(', ')}]`;
}

/** 422 Invalid: `<Kind>.<group> "<name>" is invalid: <field errors>` with one cause per error. */
export function invalid(gk: GroupKind, name: string, errors: readonly FieldError[]): ApiError {
  const causes = errors.map((e) => ({ reason: e.type, message: fieldErrorBody(e), field: e.field }));
  const prefix = `${qualifiedKind(gk)} "${name}" is invalid`;
  const message = errors.length ? `${prefix}: ${aggregateMessage(errors.map(fieldErrorString))}` : prefix;
  const details: StatusDetails = { name, kind: gk.kind, causes };
  if (gk.group) details.group = gk.group;
  return failure(422, 'Invalid', message, details);
}
