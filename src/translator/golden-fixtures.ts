// Test support for the translator's golden files (testdata/<case>.in.yaml → <case>.out.yaml).
// An input is ordinary multi-document Kubernetes YAML; an optional `kind: TranslateOptions`
// document sets the options. TLS key material is never committed: the placeholders
// `<generated:cert>`, `<generated:key>` and `<generated:other-key>` in an input are replaced by the
// base64 of a key pair made with the openssl CLI at test time (`<generated:cert-pem>` etc. by the
// PEM itself, for stringData), and the PEMs are turned back into placeholders in the output so the
// golden stays stable.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { emptySnapshot, kindInfo, type ResourceSnapshot } from '../resources/kinds.js';
import { supportedFeatureStatus } from './features.js';
import { renderTranslation } from './render.js';
import {
  DEFAULT_CONTROLLER_NAME,
  type StatusUpdate,
  type TranslateOptions,
  type TranslateResult,
} from './types.js';

export interface GoldenCase {
  snapshot: ResourceSnapshot;
  options: TranslateOptions;
}

/** The directory holding package.json (tests run from dist/, the testdata lives in src/). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the test file');
    dir = parent;
  }
  return dir;
}

export const TESTDATA_DIR = join(repoRoot(), 'src', 'translator', 'testdata');

export interface GeneratedPems {
  cert: string;
  key: string;
  otherKey: string;
}

/** A self-signed EC certificate and its key, plus an unrelated key, made with openssl. */
export function generatePems(): GeneratedPems {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-golden-'));
  try {
    const newKey = (file: string) =>
      execFileSync('openssl', [
        'genpkey',
        '-algorithm',
        'EC',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-out',
        file,
      ]);
    newKey(join(dir, 'key.pem'));
    newKey(join(dir, 'other-key.pem'));
    execFileSync('openssl', [
      ...['req', '-x509', '-new', '-key', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
      ...[
        '-days',
        '2',
        '-subj',
        '/CN=example.com',
        '-addext',
        'subjectAltName=DNS:example.com,DNS:*.example.com',
      ],
    ]);
    const read = (file: string) => readFileSync(join(dir, file), 'utf8');
    return { cert: read('cert.pem'), key: read('key.pem'), otherKey: read('other-key.pem') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function placeholders(pems: GeneratedPems): [string, string][] {
  return [
    ['<generated:cert>', pems.cert],
    ['<generated:key>', pems.key],
    ['<generated:other-key>', pems.otherKey],
  ];
}

/** Parses an input file's text into a snapshot and options; unknown kinds are errors. */
export function parseCase(text: string, pems: GeneratedPems): GoldenCase {
  const snapshot = emptySnapshot();
  const options: TranslateOptions = { controllerName: DEFAULT_CONTROLLER_NAME };
  const substitutes = new Map<string, string>();
  for (const [name, pem] of placeholders(pems)) {
    substitutes.set(name, Buffer.from(pem).toString('base64'));
    substitutes.set(name.replace('>', '-pem>'), pem);
  }
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) throw new Error(`invalid YAML: ${document.errors[0]?.message}`);
    const object = replaceStrings(document.toJS(), (s) => substitutes.get(s) ?? s) as {
      kind?: unknown;
    } | null;
    if (object === null) continue;
    if (object.kind === 'TranslateOptions') {
      const { controllerName } = object as { controllerName?: unknown };
      if (typeof controllerName === 'string') options.controllerName = controllerName;
      continue;
    }
    const info = kindInfo(String(object.kind));
    if (!info) throw new Error(`unknown kind in golden input: ${String(object.kind)}`);
    (snapshot[info.field] as unknown[]).push(object);
  }
  return { snapshot, options };
}

/** Stands for GatewayClass status.supportedFeatures when it lists exactly SUPPORTED_FEATURES. */
export const ALL_FEATURES_PLACEHOLDER = '<all SUPPORTED_FEATURES, sorted>';

/**
 * The golden output text: `statuses:` then `ir:`, map keys sorted, generated PEMs as placeholders,
 * and the (long, always identical) supported feature list of our GatewayClasses abbreviated.
 */
export function renderResult(result: TranslateResult, pems: GeneratedPems): string {
  const byPem = new Map(placeholders(pems).map(([name, pem]) => [pem, name]));
  const statuses = result.statuses.map(abbreviateFeatures);
  const redacted = replaceStrings({ statuses, ir: result.ir }, (s) => byPem.get(s) ?? s);
  return renderTranslation(redacted as TranslateResult);
}

function abbreviateFeatures(update: StatusUpdate): unknown {
  if (update.kind !== 'GatewayClass') return update;
  const expected = JSON.stringify(supportedFeatureStatus());
  if (JSON.stringify(update.status.supportedFeatures) !== expected) return update;
  return { ...update, status: { ...update.status, supportedFeatures: ALL_FEATURES_PLACEHOLDER } };
}

function replaceStrings(value: unknown, replace: (s: string) => string): unknown {
  if (typeof value === 'string') return replace(value);
  if (Array.isArray(value)) return value.map((entry) => replaceStrings(entry, replace));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceStrings(v, replace)]));
  }
  return value;
}

/** Freezes an object graph, so a translator that mutates its input throws in strict mode. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const entry of Object.values(value)) deepFreeze(entry);
  }
  return value;
}
