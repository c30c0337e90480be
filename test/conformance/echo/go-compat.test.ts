/**
 * The Go behaviours the echo server reproduces, checked against what Go's own functions return:
 * time.ParseDuration, textproto.CanonicalMIMEHeaderKey, url.ParseQuery, ServeMux routing and
 * path cleaning, encoding/json escaping and Request.RemoteAddr.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseGoDuration } from './go-duration.js';
import { canonicalHeaderKey, cleanPath, goJson, goRemoteAddr, parseGoQuery } from './go-http.js';
import { parseRetryPlan, routeRequest } from './handlers.js';

describe('Go duration parsing', () => {
  it('accepts what time.ParseDuration accepts', () => {
    const cases: Array<[string, number]> = [
      ['0', 0],
      ['1s', 1e9],
      ['+5ms', 5e6],
      ['-1m', -60e9],
      ['1.5h', 5400e9],
      ['.5s', 5e8],
      ['1.s', 1e9],
      ['1h2m3s', 3723e9],
      ['10us', 1e4],
      ['7\u00b5s', 7e3],
      ['7\u03bcs', 7e3],
      ['3ns', 3],
    ];
    for (const [text, nanos] of cases) assert.equal(parseGoDuration(text), nanos, text);
  });

  it("rejects the rest with Go's messages", () => {
    assert.throws(() => parseGoDuration(''), { message: 'time: invalid duration ""' });
    assert.throws(() => parseGoDuration('abc'), { message: 'time: invalid duration "abc"' });
    assert.throws(() => parseGoDuration('-'), { message: 'time: invalid duration "-"' });
    assert.throws(() => parseGoDuration('.s'), { message: 'time: invalid duration ".s"' });
    assert.throws(() => parseGoDuration('1'), { message: 'time: missing unit in duration "1"' });
    assert.throws(() => parseGoDuration('2d'), { message: 'time: unknown unit "d" in duration "2d"' });
    assert.throws(() => parseGoDuration('9999999999h'), { message: 'time: invalid duration "9999999999h"' });
  });
});

describe('Go HTTP details', () => {
  it('canonicalises header names like textproto', () => {
    assert.equal(canonicalHeaderKey('x-foo-bar'), 'X-Foo-Bar');
    assert.equal(canonicalHeaderKey('CONTENT-type'), 'Content-Type');
    assert.equal(canonicalHeaderKey('x_under_score'), 'X_under_score');
    assert.equal(canonicalHeaderKey('-x--y-'), '-X--Y-');
    assert.equal(canonicalHeaderKey('bad name'), 'bad name');
  });

  it('parses queries like url.ParseQuery, skipping bad pairs', () => {
    const query = parseGoQuery('a=1&a=2&b=x+y%21&c;d=3&e=%zz&=empty&f');
    assert.deepEqual(
      [...query.entries()],
      [
        ['a', ['1', '2']],
        ['b', ['x y!']],
        ['', ['empty']],
        ['f', ['']],
      ],
    );
  });

  it('cleans paths like net/http cleanPath', () => {
    assert.equal(cleanPath(''), '/');
    assert.equal(cleanPath('/a/./b/../c/'), '/a/c/');
    assert.equal(cleanPath('/../x'), '/x');
    assert.equal(cleanPath('/a//b'), '/a/b');
    assert.equal(cleanPath('/'), '/');
  });

  it('escapes JSON like encoding/json', () => {
    assert.equal(goJson({ s: '<a href="x">&\u2028' }), '{"s":"\\u003ca href=\\"x\\"\\u003e\\u0026\\u2028"}');
    assert.equal(goJson({ a: [], o: {} }, ' '), '{\n "a": [],\n "o": {}\n}');
  });

  it('formats RemoteAddr like Go', () => {
    assert.equal(goRemoteAddr('::ffff:10.0.0.1', 80), '10.0.0.1:80');
    assert.equal(goRemoteAddr('::1', 443), '[::1]:443');
  });
});

describe('echo routing', () => {
  it('routes like preserveSlashes in front of a Go ServeMux', () => {
    assert.deepEqual(routeRequest('/health'), { kind: 'health' });
    assert.deepEqual(routeRequest('/health/'), { kind: 'echo' });
    assert.deepEqual(routeRequest('/ws'), { kind: 'ws' });
    assert.deepEqual(routeRequest('//ws'), { kind: 'ws' });
    assert.deepEqual(routeRequest('/status/204'), { kind: 'status' });
    assert.deepEqual(routeRequest('/retry/x?uuid=1'), { kind: 'retry' });
    assert.deepEqual(routeRequest('/status?x=1'), { kind: 'redirect', location: '/status/?x=1' });
    assert.deepEqual(routeRequest('/a/%2e%2e/retry'), { kind: 'redirect', location: '/retry/' });
    assert.deepEqual(routeRequest('///'), { kind: 'redirect', location: '/' });
    assert.deepEqual(routeRequest('http://example.com/health'), { kind: 'health' });
    assert.deepEqual(routeRequest('/bad%zzescape'), { kind: 'bad-request' });
    assert.deepEqual(routeRequest('*'), { kind: 'bad-request' });
  });

  it('reads the /retry/ plan from the query', () => {
    assert.deepEqual(parseRetryPlan('uuid=u&succeedAfter=2&responseCode=502&delayRetry=1.5s'), {
      uuid: 'u',
      succeedAfter: 2,
      responseCode: 502,
      delayMillis: 1500,
    });
    assert.deepEqual(parseRetryPlan('uuid=u'), { uuid: 'u', succeedAfter: 0, delayMillis: 0 });
    assert.throws(() => parseRetryPlan('uuid=u&succeedAfter=-1'), /succeedAfter/);
    assert.throws(() => parseRetryPlan('uuid=u&responseCode=99'), /responseCode/);
    assert.throws(() => parseRetryPlan('uuid=u&delayRetry=later'), /invalid duration/);
  });
});
