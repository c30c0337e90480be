// Property test: translate() never throws, whatever shape its input has. Every golden input is
// mutated many times (fields deleted, replaced by values of the wrong type, lists emptied or
// filled with junk) and translated; the output must still be well-formed: JSON-serialisable,
// statuses carrying observedGeneration, IR ports ascending. The generator is seeded, so a failure
// names a seed that reproduces it.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { ResourceSnapshot } from '../resources/kinds.js';
import { type GeneratedPems, generatePems, parseCase, TESTDATA_DIR } from './golden-fixtures.js';
import { translate } from './translate.js';
import type { TranslateOptions, TranslateResult } from './types.js';

const TRIALS_PER_CASE = 150;
const JUNK: unknown[] = [
  null,
  0,
  -1,
  1.5,
  70000,
  '',
  'x',
  '*',
  true,
  [],
  {},
  [null, 1, 'a', {}],
  { a: { b: [] } },
];

/** mulberry32: a small seeded PRNG, so failures are reproducible. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Container = Record<string, unknown> | unknown[];

/** Every (container, key) pair in the object graph, objects themselves included. */
function slots(root: unknown): [Container, string | number][] {
  const found: [Container, string | number][] = [];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) {
      value.forEach((entry, index) => {
        found.push([value, index]);
        visit(entry);
      });
    } else if (value !== null && typeof value === 'object') {
      for (const [key, entry] of Object.entries(value)) {
        found.push([value as Record<string, unknown>, key]);
        visit(entry);
      }
    }
  };
  visit(root);
  return found;
}

function mutate(snapshot: ResourceSnapshot, next: () => number): void {
  const all = slots(snapshot);
  const count = 1 + Math.floor(next() * 5);
  for (let i = 0; i < count && all.length > 0; i++) {
    const [container, key] = all[Math.floor(next() * all.length)] as [Container, string | number];
    const choice = next();
    if (choice < 0.35 && !Array.isArray(container)) delete container[key as string];
    else {
      const junk = structuredClone(JUNK[Math.floor(next() * JUNK.length)]);
      (container as Record<string | number, unknown>)[key] = junk;
    }
  }
}

function assertWellFormed(result: TranslateResult): void {
  const json = JSON.stringify(result);
  assert.equal(JSON.stringify(JSON.parse(json)), json, 'output must be plain JSON data');
  for (const update of result.statuses) {
    const conditions = [
      ...('conditions' in update.status ? (update.status.conditions ?? []) : []),
      ...('parents' in update.status ? update.status.parents.flatMap((p) => p.conditions) : []),
      ...('listeners' in update.status ? (update.status.listeners ?? []).flatMap((l) => l.conditions) : []),
    ];
    for (const condition of conditions) assert.equal(condition.observedGeneration, update.generation);
  }
  for (const gateway of result.ir.gateways) {
    const ports = gateway.ports.map((p) => p.port);
    assert.deepEqual(
      ports,
      [...ports].sort((a, b) => a - b),
    );
  }
}

describe('translate() on mutated inputs', () => {
  let pems: GeneratedPems;
  before(() => {
    pems = generatePems();
  });

  const inputs = readdirSync(TESTDATA_DIR).filter((f) => f.endsWith('.in.yaml'));
  for (const file of inputs) {
    it(`never throws on mutations of ${file}`, () => {
      const parsed = parseCase(readFileSync(join(TESTDATA_DIR, file), 'utf8'), pems);
      const options = parsed.options;
      for (let trial = 0; trial < TRIALS_PER_CASE; trial++) {
        const seed = trial * 7919 + file.length;
        const snapshot = structuredClone(parsed.snapshot);
        mutate(snapshot, random(seed));
        let result: TranslateResult;
        try {
          result = translate(snapshot, options as TranslateOptions);
        } catch (error) {
          assert.fail(`${file}, seed ${seed}: translate threw ${(error as Error).stack}`);
        }
        assertWellFormed(result);
      }
    });
  }

  it('never throws when whole objects or lists have the wrong type', () => {
    const { snapshot, options } = parseCase(
      readFileSync(join(TESTDATA_DIR, 'httproute-mirrors.in.yaml'), 'utf8'),
      pems,
    );
    for (const field of Object.keys(snapshot) as (keyof ResourceSnapshot)[]) {
      for (const junk of JUNK) {
        const broken = { ...snapshot, [field]: [...snapshot[field], junk] } as ResourceSnapshot;
        assertWellFormed(translate(broken, options));
      }
      assertWellFormed(translate({ ...snapshot, [field]: null } as unknown as ResourceSnapshot, options));
    }
  });
});
