// Golden files: every testdata/<case>.in.yaml is translated and compared with <case>.out.yaml.
// UPDATE_GOLDEN=1 rewrites the outputs and deletes outputs whose input is gone. Each case also
// proves two properties: the input is not mutated (it is deep-frozen), and the output does not
// depend on the order of objects in the snapshot (every list reversed gives the same text).

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { ResourceSnapshot } from '../resources/kinds.js';
import {
  deepFreeze,
  type GeneratedPems,
  generatePems,
  parseCase,
  renderResult,
  TESTDATA_DIR,
} from './golden-fixtures.js';
import { translate } from './translate.js';

const UPDATE = process.env.UPDATE_GOLDEN === '1';
const files = readdirSync(TESTDATA_DIR).sort();
const cases = files.filter((f) => f.endsWith('.in.yaml')).map((f) => f.slice(0, -'.in.yaml'.length));

function reversed(snapshot: ResourceSnapshot): ResourceSnapshot {
  const copy = { ...snapshot };
  for (const field of Object.keys(copy) as (keyof ResourceSnapshot)[]) {
    (copy[field] as unknown[]) = [...snapshot[field]].reverse();
  }
  return copy;
}

describe('translator golden files', () => {
  let pems: GeneratedPems;
  before(() => {
    pems = generatePems();
  });

  for (const name of cases) {
    it(name, () => {
      const text = readFileSync(join(TESTDATA_DIR, `${name}.in.yaml`), 'utf8');
      const { snapshot, options } = parseCase(text, pems);
      const actual = renderResult(translate(deepFreeze(snapshot), options), pems);
      const outPath = join(TESTDATA_DIR, `${name}.out.yaml`);
      if (UPDATE) writeFileSync(outPath, actual);
      else {
        assert.ok(existsSync(outPath), `${name}.out.yaml is missing: run with UPDATE_GOLDEN=1`);
        assert.equal(actual, readFileSync(outPath, 'utf8'));
      }
      const fromReversed = renderResult(translate(reversed(snapshot), options), pems);
      assert.equal(fromReversed, actual, 'output depends on the order of objects in the snapshot');
    });
  }

  it('has an input for every output', () => {
    const orphans = files.filter(
      (f) => f.endsWith('.out.yaml') && !cases.includes(f.slice(0, -'.out.yaml'.length)),
    );
    if (UPDATE) for (const orphan of orphans) rmSync(join(TESTDATA_DIR, orphan));
    else assert.deepEqual(orphans, []);
  });
});
