// Label and field selectors as list and watch accept them (k8s.io/apimachinery/pkg/labels and
// pkg/fields). Label selectors: comma-joined requirements `k`, `!k`, `k=v`, `k==v`, `k!=v`,
// `k in (a,b)`, `k notin (a,b)`, `k>n`, `k<n`. Field selectors: `metadata.name` and
// `metadata.namespace` with `=`, `==`, `!=`. A malformed selector is a 400 BadRequest.

import { badRequest } from './errors.js';
import type { KubeObject } from './objects.js';

type Operator = 'exists' | '!exists' | '=' | '!=' | 'in' | 'notin' | '>' | '<';

interface Requirement {
  key: string;
  operator: Operator;
  values: string[];
}

export type Selector = (obj: KubeObject) => boolean;

const KEY = /^([A-Za-z0-9][-A-Za-z0-9_./]*)?[A-Za-z0-9]$/;

/** Splits on commas that are not inside a parenthesised value set. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim());
}

function parseSet(text: string, whole: string): string[] {
  const match = /^\((.*)\)$/.exec(text.trim());
  if (!match) throw badRequest(`unable to parse requirement: found '${text}', expected: '('`);
  const values = match[1]!.split(',').map((v) => v.trim());
  if (values.some((v) => v === '')) {
    throw badRequest(
      `unable to parse requirement: ${whole}: for 'in', 'notin' operators, values set can't be empty`,
    );
  }
  return values;
}

function checkKey(key: string): string {
  if (!KEY.test(key)) throw badRequest(`unable to parse requirement: invalid label key "${key}"`);
  return key;
}

function parseRequirement(text: string): Requirement {
  const setMatch = /^(\S+)\s+(in|notin)\s*(\(.*\))$/.exec(text);
  if (setMatch) {
    const operator = setMatch[2] as 'in' | 'notin';
    return { key: checkKey(setMatch[1]!), operator, values: parseSet(setMatch[3]!, text) };
  }
  const opMatch = /^([^=!<>\s]+)\s*(==|=|!=|>|<)\s*(.*)$/.exec(text);
  if (opMatch) {
    const raw = opMatch[2]!;
    const operator: Operator = raw === '==' ? '=' : (raw as Operator);
    const value = opMatch[3]!.trim();
    if ((operator === '>' || operator === '<') && !/^-?\d+$/.test(value)) {
      throw badRequest(`unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`);
    }
    return { key: checkKey(opMatch[1]!), operator, values: [value] };
  }
  if (text.startsWith('!')) return { key: checkKey(text.slice(1).trim()), operator: '!exists', values: [] };
  return { key: checkKey(text), operator: 'exists', values: [] };
}

function matchesRequirement(labels: Record<string, string>, req: Requirement): boolean {
  const has = Object.hasOwn(labels, req.key);
  const value = labels[req.key];
  switch (req.operator) {
    case 'exists':
      return has;
    case '!exists':
      return !has;
    case '=':
      return has && value === req.values[0];
    case '!=':
      return !has || value !== req.values[0];
    case 'in':
      return has && req.values.includes(value!);
    case 'notin':
      return !has || !req.values.includes(value!);
    case '>':
    case '<': {
      if (!has || !/^-?\d+$/.test(value!)) return false;
      const n = Number(value);
      const bound = Number(req.values[0]);
      return req.operator === '>' ? n > bound : n < bound;
    }
  }
}

export function parseLabelSelector(text: string | null | undefined): Selector {
  if (!text || text.trim() === '') return () => true;
  const requirements = splitTopLevel(text).map(parseRequirement);
  return (obj) => requirements.every((req) => matchesRequirement(obj.metadata.labels ?? {}, req));
}

const FIELD_GETTERS: Record<string, (obj: KubeObject) => string> = {
  'metadata.name': (obj) => obj.metadata.name ?? '',
  'metadata.namespace': (obj) => obj.metadata.namespace ?? '',
};

export function parseFieldSelector(text: string | null | undefined): Selector {
  if (!text || text.trim() === '') return () => true;
  const terms = text.split(',').map((term) => {
    const match = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(term.trim());
    if (!match) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    const getter = FIELD_GETTERS[match[1]!];
    if (!getter) throw badRequest(`field label not supported: ${match[1]}`);
    const negate = match[2] === '!=';
    const want = match[3]!;
    return (obj: KubeObject) => (getter(obj) === want) !== negate;
  });
  return (obj) => terms.every((term) => term(obj));
}
