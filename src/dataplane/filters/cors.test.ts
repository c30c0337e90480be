import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CorsIR } from '../../ir/types.js';
import { actualResponseHeaders, compileCors, isPreflight, originAllowed, preflightHeaders } from './cors.js';

const base: CorsIR = {
  allowOrigins: ['https://www.foo.com', 'https://*.bar.com'],
  allowCredentials: true,
  allowMethods: ['GET', 'OPTIONS'],
  allowHeaders: ['x-header-1', 'x-header-2'],
  exposeHeaders: ['x-header-3', 'x-header-4'],
  maxAge: 3600,
};

const asMap = (pairs: [string, string][] | undefined) => new Map(pairs);

describe('CORS origins', () => {
  const cors = compileCors(base);
  it('matches exact origins and host wildcards of one or more labels', () => {
    assert.equal(originAllowed(cors, 'https://www.foo.com'), true);
    assert.equal(originAllowed(cors, 'https://www.bar.com'), true);
    assert.equal(originAllowed(cors, 'https://xpto.www.bar.com'), true);
  });
  it('rejects other origins, schemes and ports', () => {
    assert.equal(originAllowed(cors, 'https://foobar.com'), false);
    assert.equal(originAllowed(cors, 'https://bar.com'), false);
    assert.equal(originAllowed(cors, 'http://www.bar.com'), false);
    assert.equal(originAllowed(cors, 'https://www.bar.com:8443'), false);
  });
  it('accepts anything, ports included, with `*`', () => {
    const any = compileCors({ ...base, allowOrigins: ['*'] });
    assert.equal(originAllowed(any, 'https://foobar.com:12345'), true);
  });
});

describe('CORS preflight', () => {
  it('detects preflights', () => {
    assert.equal(isPreflight('OPTIONS', 'https://a', 'GET'), true);
    assert.equal(isPreflight('OPTIONS', 'https://a', undefined), false);
    assert.equal(isPreflight('GET', 'https://a', 'GET'), false);
  });

  it('answers an allowed origin with every allow-* header', () => {
    const h = asMap(preflightHeaders(compileCors(base), 'https://www.bar.com', 'GET', 'x-header-1'));
    assert.equal(h.get('access-control-allow-origin'), 'https://www.bar.com');
    assert.equal(h.get('access-control-allow-methods'), 'GET, OPTIONS');
    assert.equal(h.get('access-control-allow-headers'), 'x-header-1, x-header-2');
    assert.equal(h.get('access-control-expose-headers'), 'x-header-3, x-header-4');
    assert.equal(h.get('access-control-max-age'), '3600');
    assert.equal(h.get('access-control-allow-credentials'), 'true');
  });

  it('gives a disallowed origin no allow-* header', () => {
    const h = asMap(preflightHeaders(compileCors(base), 'https://foobar.com', 'GET', undefined));
    assert.deepEqual([...h.keys()], ['vary']);
  });

  it('echoes the requested method and headers for `*`', () => {
    const cors = compileCors({ ...base, allowMethods: ['*'], allowHeaders: ['*'], allowCredentials: false });
    const h = asMap(preflightHeaders(cors, 'https://www.foo.com', 'PUT', 'x-header-1, x-header-2'));
    assert.equal(h.get('access-control-allow-methods'), 'PUT');
    assert.equal(h.get('access-control-allow-headers'), 'x-header-1, x-header-2');
    assert.equal(h.has('access-control-allow-credentials'), false);
  });
});

describe('CORS actual requests', () => {
  it('adds allow-origin, credentials and expose headers for an allowed origin', () => {
    const h = asMap(actualResponseHeaders(compileCors(base), 'https://www.foo.com'));
    assert.equal(h.get('access-control-allow-origin'), 'https://www.foo.com');
    assert.equal(h.get('access-control-allow-credentials'), 'true');
    assert.equal(h.get('access-control-expose-headers'), 'x-header-3, x-header-4');
  });
  it('adds nothing for another origin', () => {
    assert.equal(actualResponseHeaders(compileCors(base), 'https://foobar.com'), undefined);
  });
});
