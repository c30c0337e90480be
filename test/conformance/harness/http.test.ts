// The harness's traffic assertions against hand-made exchanges: what upstream's CompareRoundTrip
// accepts and refuses, the consistency loop's counting, and the expected-failure loop's rules.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  awaitConvergence,
  type Client,
  compareRoundTrip,
  type ExpectedResponse,
  makeRequest,
  makeRequestAndExpectFailure,
} from './http.js';
import type { Request, RoundTrip } from './roundtrip.js';
import { T } from './t.js';
import { DEFAULT_TIMEOUTS } from './timeouts.js';

const client: Client = { timeouts: DEFAULT_TIMEOUTS, roundTrip: () => Promise.reject(new Error('unused')) };

function echo(
  overrides: Partial<RoundTrip['request']> = {},
  status = 200,
  headers: Record<string, string[]> = {},
): RoundTrip {
  return {
    request: {
      path: '/',
      host: 'example.com',
      method: 'GET',
      namespace: 'ns',
      pod: 'infra-backend-v1-abc-def',
      headers: {},
      ...overrides,
    },
    response: {
      statusCode: status,
      protocol: 'HTTP/1.1',
      headers: { 'content-type': ['application/json'], ...headers },
      body: '{}',
    },
  };
}

function check(expected: ExpectedResponse, rt: RoundTrip): string | undefined {
  const req = makeRequest(client, expected, '127.0.0.1:80', 'http');
  return compareRoundTrip(req, rt, expected);
}

describe('compareRoundTrip', () => {
  const base: ExpectedResponse = {
    request: { path: '/', host: 'example.com' },
    backend: 'infra-backend-v1',
    namespace: 'ns',
  };

  it('accepts the expected backend, namespace, path and host', () => {
    assert.equal(check(base, echo()), undefined);
  });

  it('refuses another status, backend, namespace, path or host', () => {
    assert.match(check(base, echo({}, 404)) ?? '', /status code to be one of \[200\], got 404/);
    assert.match(
      check(base, echo({ pod: 'infra-backend-v2-a-b' })) ?? '',
      /pod name to start with infra-backend-v1/,
    );
    assert.match(check(base, echo({ namespace: 'other' })) ?? '', /namespace to be ns/);
    assert.match(check(base, echo({ path: '/x' })) ?? '', /path to be \/, got \/x/);
    assert.match(check(base, echo({ host: 'example.org' })) ?? '', /host to be example.com/);
  });

  it('treats 408 and 504 as one another when a timeout is expected', () => {
    const timeout = { request: { path: '/' }, response: { statusCode: 504 } };
    assert.equal(check(timeout, echo({}, 408)), undefined);
  });

  it('compares request headers case-insensitively, joined with commas, and absent headers', () => {
    const expected: ExpectedResponse = {
      ...base,
      expectedRequest: { path: '/', headers: { 'X-Add': 'a,b' }, absentHeaders: ['X-Gone'] },
    };
    assert.equal(check(expected, echo({ headers: { 'X-Add': ['a', 'b'] } })), undefined);
    assert.match(
      check(expected, echo({ headers: { 'X-Add': ['a'] } })) ?? '',
      /X-Add header to be set to a,b/,
    );
    assert.match(
      check(expected, echo({ headers: { 'X-Add': ['a', 'b'], 'X-Gone': ['1'] } })) ?? '',
      /X-Gone header to not be set/,
    );
  });

  it('accepts one of several response header values, ignoring whitespace when asked', () => {
    const expected: ExpectedResponse = {
      request: { path: '/' },
      expectedRequest: { method: 'OPTIONS', path: '' },
      namespace: '',
      response: {
        statusCodes: [200, 204],
        validHeaderValues: { allow: ['GET, PUT', 'PUT, GET'] },
        ignoreWhitespace: true,
      },
    };
    const preflight = (value: string): RoundTrip => ({
      request: { path: '', host: '', method: 'OPTIONS', namespace: '', pod: '' },
      response: { statusCode: 204, protocol: 'HTTP/1.1', headers: { allow: [value] }, body: '' },
    });
    assert.equal(check(expected, preflight('PUT,GET')), undefined);
    assert.match(check(expected, preflight('GET')) ?? '', /allow header to be one of/);
  });

  it('checks the Location of a redirect, defaulting the port to the scheme', () => {
    const expected: ExpectedResponse = {
      request: { path: '/r', unfollowRedirect: true },
      response: { statusCode: 302 },
      redirectRequest: { host: 'example.org' },
    };
    const redirect = (scheme: string, port: string): RoundTrip => ({
      request: { path: '', host: '', method: 'GET', namespace: '', pod: '' },
      response: {
        statusCode: 302,
        protocol: 'HTTP/1.1',
        headers: {},
        body: '',
        redirect: { scheme, host: 'example.org', port, path: '/r' },
      },
    });
    assert.equal(check(expected, redirect('http', '')), undefined);
    assert.equal(check(expected, redirect('http', '80')), undefined);
    assert.match(
      check(expected, redirect('http', '8080')) ?? '',
      /expected redirected port to be 80 or not set/,
    );
    assert.match(check(expected, redirect('https', '')) ?? '', /redirected scheme to be "http"/);
  });
});

describe('awaitConvergence', () => {
  it('passes after three successes in a row, and starts counting again after a miss', async () => {
    const answers = [undefined, 'miss', undefined, undefined, undefined];
    let calls = 0;
    const outcome = await T.runTest('converge', (t) =>
      awaitConvergence(t, 3, 5000, async () => answers[calls++]),
    );
    assert.equal(outcome.passed, true);
    assert.equal(calls, 5);
  });

  it('fails with the last miss once the time is up', async () => {
    const outcome = await T.runTest('never', (t) => awaitConvergence(t, 3, 200, async () => 'still wrong'));
    assert.equal(outcome.passed, false);
    assert.match(outcome.failures.join('\n'), /0\/3 successes\nstill wrong/);
  });
});

describe('makeRequestAndExpectFailure', () => {
  const fixed = (status: number): Client => ({
    timeouts: { ...DEFAULT_TIMEOUTS, maxTimeToConsistency: 300 },
    roundTrip: async (_req: Request) => echo({}, status),
  });

  it('passes on five non-200 answers in a row', async () => {
    const outcome = await T.runTest('fails', (t) =>
      makeRequestAndExpectFailure(t, fixed(500), '127.0.0.1:80', { request: { path: '/' } }),
    );
    assert.equal(outcome.passed, true);
  });

  it('fails at once on a 200, and does not count 504 as a failure answer', async () => {
    const ok = await T.runTest('ok', (t) =>
      makeRequestAndExpectFailure(t, fixed(200), '127.0.0.1:80', { request: { path: '/' } }),
    );
    assert.match(ok.failures.join('\n'), /should have failed, got HTTP 200/);
    const timeout = await T.runTest('timeout', (t) =>
      makeRequestAndExpectFailure(t, fixed(504), '127.0.0.1:80', { request: { path: '/' } }),
    );
    assert.equal(timeout.passed, false);
  });
});
