// ReferenceGrant checks. A reference from an object in one namespace to an object in another is
// allowed only when a ReferenceGrant in the target's namespace lists the referrer's
// {group, kind, namespace} in `from` and the target's {group, kind, name?} in `to` (a `to` entry
// without a name covers every object of that kind). Same-namespace references need no grant.
// Gatehouse uses two: HTTPRoute → Service (backendRefs, mirrors) and Gateway → Secret (listener
// certificateRefs).

import { GATEWAY_GROUP } from '../resources/kinds.js';
import type { TranslateContext } from './context.js';
import { asArray, asName, asRecord, asString } from './values.js';

export interface ReferenceFrom {
  kind: 'HTTPRoute' | 'Gateway' | 'BackendTLSPolicy';
  namespace: string;
}

export interface ReferenceTo {
  group: string;
  kind: string;
  namespace: string;
  name: string;
}

export function isReferenceAllowed(ctx: TranslateContext, from: ReferenceFrom, to: ReferenceTo): boolean {
  if (from.namespace === to.namespace) return true;
  return (ctx.referenceGrants.get(to.namespace) ?? []).some((grant) => {
    const spec = asRecord(grant.spec);
    return (
      asArray(spec?.from).some((entry) => grantsFrom(entry, from)) &&
      asArray(spec?.to).some((entry) => grantsTo(entry, to))
    );
  });
}

function grantsFrom(entry: unknown, from: ReferenceFrom): boolean {
  const record = asRecord(entry);
  return (
    asString(record?.group) === GATEWAY_GROUP &&
    record?.kind === from.kind &&
    record?.namespace === from.namespace
  );
}

function grantsTo(entry: unknown, to: ReferenceTo): boolean {
  const record = asRecord(entry);
  const name = asName(record?.name);
  return (
    (asString(record?.group) ?? '') === to.group &&
    record?.kind === to.kind &&
    (name === undefined || name === to.name)
  );
}
