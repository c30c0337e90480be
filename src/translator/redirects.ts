// RequestRedirect and URLRewrite filters, and the path modifier they share. A ReplacePrefixMatch
// modifier replaces the matched PathPrefix, so it is only valid when every match of the rule is a
// PathPrefix match (the CRD's rule, enforced here for input that skipped CRD validation). Values
// outside the API's enums make the rule invalid with reason UnsupportedValue.

import type { PathModifierIR, RedirectActionIR, UrlRewriteIR } from '../ir/types.js';
import { InvalidRule, unsupportedValue } from './conditions.js';
import type { CompiledMatch } from './matches.js';
import { asInteger, asName, asRecord, asString } from './values.js';

const REDIRECT_STATUS_CODES = new Set([301, 302, 303, 307, 308]);
const DEFAULT_REDIRECT_STATUS = 302;

export function compileRedirect(config: unknown, matches: CompiledMatch[]): RedirectActionIR | InvalidRule {
  const record = asRecord(config);
  if (!record) return unsupportedValue('A RequestRedirect filter needs its requestRedirect configuration.');
  const statusCode = record.statusCode === undefined ? DEFAULT_REDIRECT_STATUS : asInteger(record.statusCode);
  if (statusCode === undefined || !REDIRECT_STATUS_CODES.has(statusCode)) {
    return unsupportedValue(`Redirect statusCode ${String(record.statusCode)} is not supported.`);
  }
  const redirect: RedirectActionIR = { type: 'redirect', statusCode };
  if (record.scheme !== undefined) {
    if (record.scheme !== 'http' && record.scheme !== 'https') {
      return unsupportedValue(`Redirect scheme ${String(record.scheme)} is not supported.`);
    }
    redirect.scheme = record.scheme;
  }
  if (record.hostname !== undefined) {
    const hostname = asName(record.hostname);
    if (hostname === undefined) return unsupportedValue('Redirect hostname must be a hostname.');
    redirect.hostname = hostname;
  }
  if (record.port !== undefined) {
    const port = asInteger(record.port);
    if (port === undefined || port < 1 || port > 65535)
      return unsupportedValue('Redirect port must be 1-65535.');
    redirect.port = port;
  }
  if (record.path !== undefined) {
    const path = compilePathModifier(record.path, matches, 'RequestRedirect');
    if (path instanceof InvalidRule) return path;
    redirect.path = path;
  }
  return redirect;
}

export function compileUrlRewrite(config: unknown, matches: CompiledMatch[]): UrlRewriteIR | InvalidRule {
  const record = asRecord(config);
  if (!record) return unsupportedValue('A URLRewrite filter needs its urlRewrite configuration.');
  const rewrite: UrlRewriteIR = {};
  if (record.hostname !== undefined) {
    const hostname = asName(record.hostname);
    if (hostname === undefined) return unsupportedValue('URLRewrite hostname must be a hostname.');
    rewrite.hostname = hostname;
  }
  if (record.path !== undefined) {
    const path = compilePathModifier(record.path, matches, 'URLRewrite');
    if (path instanceof InvalidRule) return path;
    rewrite.path = path;
  }
  return rewrite;
}

function compilePathModifier(
  config: unknown,
  matches: CompiledMatch[],
  filter: string,
): PathModifierIR | InvalidRule {
  const record = asRecord(config) ?? {};
  const type = asString(record.type) ?? '';
  if (type === 'ReplaceFullPath') {
    const value = asString(record.replaceFullPath);
    if (value === undefined) return unsupportedValue(`${filter} ReplaceFullPath needs replaceFullPath.`);
    return { type, value };
  }
  if (type === 'ReplacePrefixMatch') {
    const value = asString(record.replacePrefixMatch);
    if (value === undefined)
      return unsupportedValue(`${filter} ReplacePrefixMatch needs replacePrefixMatch.`);
    if (!matches.every((match) => match.path.type === 'PathPrefix')) {
      return unsupportedValue(`${filter} ReplacePrefixMatch is only valid with PathPrefix matches.`);
    }
    return { type, value };
  }
  return unsupportedValue(`${filter} path modifier type "${type}" is not supported.`);
}
