// Every manifest of the upstream conformance suite (vendored in conformance/upstream) must
// decode and validate the way an API server with the standard-channel CRDs accepts it, once the suite's placeholders are substituted. The only manifest left invalid is
// the one whose placeholder addresses the suite replaces with real ones.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decodeManifest } from './decode.js';
import { validateObject } from './validate.js';

function conformanceDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
  const vendored = join(dir, 'conformance', 'upstream');
  return existsSync(vendored) ? vendored : undefined;
}

function substitute(text: string, addresses = false): string {
  const out = text
    .replaceAll('{GATEWAY_CLASS_NAME}', 'gatehouse')
    .replaceAll('{GATEWAY_CONTROLLER_NAME}', 'gatehouse.dev/controller');
  return addresses
    ? out
        .replace('PLACEHOLDER_UNUSABLE_ADDRS', '198.51.100.7')
        .replace('PLACEHOLDER_USABLE_ADDRS', '127.0.0.1')
    : out;
}

interface Outcome {
  file: string;
  outcome: string;
  message?: string;
  warnings: string[];
}

function validateFile(dir: string, file: string, addresses = false): Outcome[] {
  const { documents, errors } = decodeManifest(
    file,
    substitute(readFileSync(join(dir, file), 'utf8'), addresses),
  );
  assert.deepEqual(errors, [], `${file} does not parse`);
  return documents.map((doc) => {
    const result = validateObject(doc.object);
    return {
      file,
      outcome: result.outcome,
      message: result.outcome === 'rejected' ? result.error.message : undefined,
      warnings: result.outcome === 'ignored' ? [] : result.warnings.map((w) => w.message),
    };
  });
}

const dir = conformanceDir();

describe('upstream conformance manifests', { skip: dir ? false : 'conformance/upstream not found' }, () => {
  const folders = ['tests', 'tests/mesh', 'base', 'mesh'];

  it('all validate, apart from the placeholder addresses the suite substitutes', () => {
    const outcomes = folders.flatMap((folder) =>
      readdirSync(join(dir!, folder))
        .filter((f) => f.endsWith('.yaml'))
        .flatMap((f) => validateFile(join(dir!, folder), f)),
    );
    const rejected = outcomes.filter((o) => o.outcome === 'rejected');
    assert.deepEqual(
      rejected.map((o) => o.file),
      ['gateway-static-addresses.yaml'],
      rejected.map((o) => o.message).join('\n'),
    );
    assert.match(
      rejected[0]!.message!,
      /spec\.addresses\[1\]\.value in body must be of type ipv4: "PLACEHOLDER_UNUSABLE_ADDRS"/,
    );
    assert.ok(outcomes.filter((o) => o.outcome === 'accepted').length > 400);
    // Deployments and the like are built-in kinds Gatehouse does not read.
    assert.ok(outcomes.some((o) => o.outcome === 'ignored'));
  });

  it('the static-addresses Gateway validates once its placeholders are substituted', () => {
    const outcomes = validateFile(join(dir!, 'tests'), 'gateway-static-addresses.yaml', true);
    assert.deepEqual(
      outcomes.map((o) => o.outcome),
      ['accepted'],
    );
  });

  it('experimental fields are pruned with a warning, as with standard-channel CRDs installed', () => {
    const outcomes = validateFile(join(dir!, 'tests'), 'httproute-retry.yaml');
    assert.ok(outcomes.every((o) => o.outcome === 'accepted'));
    assert.ok(outcomes.some((o) => o.warnings.includes('unknown field "spec.rules[0].retry"')));
  });
});
