// Kubernetes label selectors (metav1.LabelSelector): matchLabels and matchExpressions are ANDed;
// an empty selector matches everything. A requirement with an unknown operator, or In/NotIn
// without values, can never be satisfied, so a malformed selector selects nothing rather than
// everything.

import { asArray, asRecord, asString, asStringList } from './values.js';

export function matchesLabelSelector(selector: unknown, labels: Record<string, string>): boolean {
  const record = asRecord(selector);
  if (!record) return false;
  if (record.matchLabels !== undefined && !asRecord(record.matchLabels)) return false;
  for (const [key, value] of Object.entries(asRecord(record.matchLabels) ?? {})) {
    if (typeof value !== 'string' || labels[key] !== value) return false;
  }
  return asArray(record.matchExpressions).every((requirement) => matchesRequirement(requirement, labels));
}

function matchesRequirement(requirement: unknown, labels: Record<string, string>): boolean {
  const record = asRecord(requirement);
  const key = asString(record?.key);
  if (!record || key === undefined) return false;
  const values = asStringList(record.values);
  const has = Object.hasOwn(labels, key);
  switch (record.operator) {
    case 'In':
      return has && values.includes(labels[key] ?? '');
    case 'NotIn':
      return values.length > 0 && !(has && values.includes(labels[key] ?? ''));
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    default:
      return false;
  }
}
