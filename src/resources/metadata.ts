// ObjectMeta checks the API server makes for every object on create (apimachinery's
// ValidateObjectMeta): the name is present and valid for its kind (DNS subdomain, DNS label or
// DNS-1035 label), the namespace is a DNS label, labels and annotation keys are qualified
// names, label values are valid, annotations fit in 256 KiB. The helpers return apimachinery's
// messages. Unknown metadata fields are dropped (ObjectMeta decoding ignores them) with a warning.

import { type FieldError, fieldError, type PathSegment } from './field-errors.js';
import { isPlainObject, type Warning } from './structural.js';

const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`;
const DNS1035_LABEL = '[a-z]([-a-z0-9]*[a-z0-9])?';
const QUALIFIED_NAME = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_VALUE = `(${QUALIFIED_NAME})?`;
const full = (fmt: string) => new RegExp(`^${fmt}$`);

/** apimachinery's RegexError: the message, examples and the regex used. */
function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  const quoted = examples.map((e) => `'${e}', `).join(' or ');
  return `${msg} (e.g. ${quoted}regex used for validation is '${fmt}')`;
}

const maxLenError = (n: number) => `must be no more than ${n} characters`;

export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLenError(63));
  if (!full(DNS1123_LABEL).test(value)) {
    errs.push(
      full(DNS1123_SUBDOMAIN).test(value)
        ? 'must not contain dots'
        : regexError(
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
            DNS1123_LABEL,
            'my-name',
            '123-abc',
          ),
    );
  }
  return errs;
}

export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push(maxLenError(253));
  if (!full(DNS1123_SUBDOMAIN).test(value)) {
    errs.push(
      regexError(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        DNS1123_SUBDOMAIN,
        'example.com',
      ),
    );
  }
  return errs;
}

export function isDNS1035Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLenError(63));
  if (!full(DNS1035_LABEL).test(value)) {
    errs.push(
      regexError(
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
        DNS1035_LABEL,
        'my-name',
        'abc-123',
      ),
    );
  }
  return errs;
}

const QUALIFIED_NAME_MSG =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  if (parts.length > 2) {
    return [
      `a qualified name ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  const name = parts.length === 2 ? parts[1]! : parts[0]!;
  if (parts.length === 2) {
    const prefix = parts[0]!;
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else errs.push(...isDNS1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push(`name part ${maxLenError(63)}`);
  if (!full(QUALIFIED_NAME).test(name)) {
    errs.push(`name part ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME, 'MyName', 'my.name', '123-abc')}`);
  }
  return errs;
}

export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLenError(63));
  if (!full(LABEL_VALUE).test(value)) {
    errs.push(
      regexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        LABEL_VALUE,
        'MyValue',
        'my_value',
        '12345',
      ),
    );
  }
  return errs;
}

export type NameRule = 'subdomain' | 'label' | 'dns1035';
const NAME_VALIDATORS: Record<NameRule, (v: string) => string[]> = {
  subdomain: isDNS1123Subdomain,
  label: isDNS1123Label,
  dns1035: isDNS1035Label,
};

const OBJECT_META_FIELDS = new Set([
  'name',
  'generateName',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
  'selfLink',
]);

const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/** Drops fields ObjectMeta does not have; returns `unknown field` warnings. */
export function pruneMetadata(meta: Record<string, unknown>): Warning[] {
  const warnings: Warning[] = [];
  for (const key of Object.keys(meta)) {
    if (OBJECT_META_FIELDS.has(key)) continue;
    delete meta[key];
    warnings.push({ path: ['metadata', key], message: `unknown field "metadata.${key}"` });
  }
  return warnings;
}

/** ValidateObjectMeta for a create: name, namespace, labels and annotations. */
export function validateObjectMeta(meta: Record<string, unknown>, nameRule: NameRule, namespaced: boolean) {
  const errors: FieldError[] = [];
  const name = meta.name;
  if (typeof name !== 'string' || name === '') {
    errors.push(fieldError.required(['metadata', 'name'], 'name or generateName is required'));
  } else {
    for (const msg of NAME_VALIDATORS[nameRule](name))
      errors.push(fieldError.invalid(['metadata', 'name'], name, msg));
  }
  if (namespaced && typeof meta.namespace === 'string') {
    for (const msg of isDNS1123Label(meta.namespace)) {
      errors.push(fieldError.invalid(['metadata', 'namespace'], meta.namespace, msg));
    }
  }
  errors.push(...validateLabels(meta.labels, ['metadata', 'labels']));
  errors.push(...validateAnnotations(meta.annotations));
  return errors;
}

export function validateLabels(labels: unknown, path: PathSegment[]): FieldError[] {
  if (!isPlainObject(labels)) return [];
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(labels)) {
    // apimachinery reports label errors at the map itself; the key makes the file position exact.
    const at = (e: FieldError) => ({ ...e, path: [...path, key] });
    for (const msg of isQualifiedName(key)) errors.push(at(fieldError.invalid(path, key, msg)));
    for (const msg of isValidLabelValue(String(value))) errors.push(at(fieldError.invalid(path, value, msg)));
  }
  return errors;
}

function validateAnnotations(annotations: unknown): FieldError[] {
  if (!isPlainObject(annotations)) return [];
  const path = ['metadata', 'annotations'];
  const errors: FieldError[] = [];
  let size = 0;
  for (const [key, value] of Object.entries(annotations)) {
    for (const msg of isQualifiedName(key.toLowerCase())) {
      errors.push({ ...fieldError.invalid(path, key, msg), path: [...path, key] });
    }
    size += Buffer.byteLength(key) + Buffer.byteLength(String(value));
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) errors.push(fieldError.tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errors;
}

/** Type errors in metadata are decoding failures (ObjectMeta is a Go struct). */
export function metadataTypeError(meta: unknown): { path: PathSegment[]; reason: string } | undefined {
  if (!isPlainObject(meta)) {
    return {
      path: ['metadata'],
      reason: 'json: cannot unmarshal into Go struct field .metadata of type v1.ObjectMeta',
    };
  }
  for (const key of ['name', 'namespace', 'generateName'] as const) {
    if (meta[key] !== undefined && typeof meta[key] !== 'string') {
      return {
        path: ['metadata', key],
        reason: `json: cannot unmarshal ${jsonKind(meta[key])} into Go struct field ObjectMeta.metadata.${key} of type string`,
      };
    }
  }
  for (const key of ['labels', 'annotations'] as const) {
    const map = meta[key];
    if (map === undefined || map === null) continue;
    if (!isPlainObject(map)) {
      return {
        path: ['metadata', key],
        reason: `json: cannot unmarshal ${jsonKind(map)} into Go struct field ObjectMeta.metadata.${key} of type map[string]string`,
      };
    }
    const bad = Object.entries(map).find(([, v]) => typeof v !== 'string' && v !== null);
    if (bad) {
      return {
        path: ['metadata', key, bad[0]],
        reason: `json: cannot unmarshal ${jsonKind(bad[1])} into Go struct field ObjectMeta.metadata.${key} of type string`,
      };
    }
  }
  return undefined;
}

/** encoding/json's name for a JSON value's kind in "cannot unmarshal X" errors. */
export function jsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return 'object';
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}
