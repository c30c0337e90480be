/**
 * The echo server on its HTTP/1.1 and h2c ports, in process on 127.0.0.1: the echo body, header
 * canonicalisation, X-Echo-Set-Header, ?delay, /health, /status, mux redirects, the log line the
 * mirror tests read, and the h2c port's HTTP/2-only rule.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type EchoServer, startEcho } from './server.js';
import { fetchHttp2, fetchOnce, rawExchange, rawHeaderValues } from './test-client.js';

const CONTEXT = {
  namespace: 'gateway-conformance-infra',
  pod: 'infra-backend-v1-7b9-xk2',
  service: 'svc',
  ingress: 'ing',
};

describe('echo server: HTTP/1.1 port', () => {
  let server: EchoServer;
  let base: string;
  const lines: string[] = [];

  before(async () => {
    server = await startEcho({
      host: '127.0.0.1',
      httpPort: 0,
      h2cPort: 0,
      context: CONTEXT,
      log: (l) => lines.push(l),
    });
    base = `http://127.0.0.1:${server.httpPort}`;
  });
  after(() => server.close());

  it('echoes the request as one-space-indented JSON in upstream field order', async () => {
    const res = await fetchOnce(`${base}/foo%20bar?x=1&y=%2F`, { headers: { host: 'example.com:8080' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/json');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.ok(res.body.startsWith('{\n "path": "/foo%20bar?x=1\\u0026y=%2F",\n "host"'), res.body);
    const echo = JSON.parse(res.body);
    assert.deepEqual(Object.keys(echo), [
      'path',
      'host',
      'method',
      'proto',
      'headers',
      'httpPort',
      'namespace',
      'ingress',
      'service',
      'pod',
    ]);
    assert.equal(echo.path, '/foo%20bar?x=1&y=%2F');
    assert.equal(echo.host, 'example.com:8080');
    assert.equal(echo.method, 'GET');
    assert.equal(echo.proto, 'HTTP/1.1');
    assert.equal(echo.httpPort, String(server.httpPort));
    assert.deepEqual(
      [echo.namespace, echo.ingress, echo.service, echo.pod],
      [CONTEXT.namespace, CONTEXT.ingress, CONTEXT.service, CONTEXT.pod],
    );
  });

  it('reports headers under Go canonical names, repeats in order, sorted, without Host', async () => {
    const res = await fetchOnce(`${base}/h`, {
      method: 'POST',
      headers: [
        'x-multi-word-header',
        'a',
        'X-MULTI-word-HEADER',
        'b',
        'x_under',
        'u',
        'Pragma',
        'no-cache',
        'Transfer-Encoding',
        'chunked',
      ],
      body: 'payload',
    });
    const { headers } = JSON.parse(res.body);
    assert.deepEqual(headers['X-Multi-Word-Header'], ['a', 'b']);
    assert.deepEqual(headers.X_under, ['u']);
    assert.deepEqual(headers['Cache-Control'], ['no-cache'], 'Go adds Cache-Control for Pragma: no-cache');
    assert.equal(headers.Host, undefined);
    assert.equal(headers['Transfer-Encoding'], undefined, 'Go moves Transfer-Encoding out of the header map');
    assert.deepEqual(Object.keys(headers), [...Object.keys(headers)].sort());
  });

  it('escapes <, > and & in the JSON like Go', async () => {
    const res = await fetchOnce(`${base}/?q=<a>&b`);
    assert.ok(res.body.includes('"path": "/?q=\\u003ca\\u003e\\u0026b"'), res.body);
  });

  it('sets the response headers X-Echo-Set-Header names, keeping their case', async () => {
    const res = await fetchOnce(`${base}/set`, {
      headers: [
        'X-Echo-Set-Header',
        'X-Header-Set-1:val1, x-header-set-1:low, X-Header-Set-1: val2',
        'x-echo-set-header',
        'Another: v',
      ],
    });
    assert.deepEqual(rawHeaderValues(res.rawHeaders, 'X-Header-Set-1'), ['val1,val2']);
    assert.deepEqual(rawHeaderValues(res.rawHeaders, 'x-header-set-1'), ['low']);
    assert.deepEqual(rawHeaderValues(res.rawHeaders, 'Another'), ['v']);
  });

  it('adds no response header for an empty X-Echo-Set-Header', async () => {
    const plain = await fetchOnce(`${base}/`);
    const empty = await fetchOnce(`${base}/`, { headers: { 'X-Echo-Set-Header': '' } });
    const names = (raw: string[]) => raw.filter((_, i) => i % 2 === 0).sort();
    assert.deepEqual(names(empty.rawHeaders), names(plain.rawHeaders));
  });

  it('waits for ?delay before answering', async () => {
    const started = performance.now();
    const res = await fetchOnce(`${base}/?delay=250ms`);
    assert.equal(res.status, 200);
    assert.ok(performance.now() - started >= 245, 'answered before the delay');
  });

  it("answers 500 with Go's message when ?delay is not a Go duration", async () => {
    const soon = await fetchOnce(`${base}/?delay=soon`);
    assert.equal(soon.status, 500);
    assert.equal(soon.body, '{"message":"time: invalid duration \\"soon\\""}');
    const years = await fetchOnce(`${base}/?delay=1y`);
    assert.equal(JSON.parse(years.body).message, 'time: unknown unit "y" in duration "1y"');
  });

  it('takes delay from a urlencoded POST body before the query, as FormValue does', async () => {
    const res = await fetchOnce(`${base}/?delay=0s`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'delay=bogus',
    });
    assert.equal(res.status, 500);
  });

  it('answers /health with OK', async () => {
    const res = await fetchOnce(`${base}/health`);
    assert.equal(res.status, 200);
    assert.equal(res.body, 'OK');
    assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
  });

  it('answers /status/NNN with NNN, and 400 when the whole RequestURI is not /status/NNN', async () => {
    for (const code of [201, 302, 404, 503])
      assert.equal((await fetchOnce(`${base}/status/${code}`)).status, code);
    assert.equal((await fetchOnce(`${base}/status/abc`)).status, 400);
    assert.equal((await fetchOnce(`${base}/status/200?x=1`)).status, 400);
  });

  it('redirects like Go ServeMux: subtree roots and unclean paths get 301', async () => {
    const status = await fetchOnce(`${base}/status`);
    assert.equal(status.status, 301);
    assert.equal(status.headers.location, '/status/');
    const dotted = await rawExchange(
      server.httpPort,
      'GET /a/./b/../c?x=1 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n',
    );
    assert.match(dotted, /^HTTP\/1\.1 301 /);
    assert.match(dotted, /\r\nLocation: \/a\/c\?x=1\r\n/);
  });

  it('collapses double slashes for routing but echoes the raw path', async () => {
    const reply = await rawExchange(
      server.httpPort,
      'GET //double//slash HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n',
    );
    assert.match(reply, /^HTTP\/1\.1 200 /);
    assert.ok(reply.includes('"path": "//double//slash"'), reply);
  });

  it('prints the line the mirror tests look for before it answers', async () => {
    const res = await fetchOnce(`${base}/mirror?id=4711`);
    assert.ok(
      lines.includes(`Echoing back request made to /mirror?id=4711 to client (127.0.0.1:${res.localPort})`),
      lines.join('\n'),
    );
  });
});

describe('echo server: /retry/ simulator', () => {
  let server: EchoServer;
  let base: string;

  before(async () => {
    server = await startEcho({ host: '127.0.0.1', httpPort: 0, h2cPort: 0, log: () => {} });
    base = `http://127.0.0.1:${server.httpPort}`;
  });
  after(() => server.close());

  it('resets the connection for the first succeedAfter attempts, then echoes', async () => {
    const url = `${base}/retry/rst?uuid=u-rst&succeedAfter=2`;
    await assert.rejects(fetchOnce(url), { code: 'ECONNRESET' });
    await assert.rejects(fetchOnce(url), { code: 'ECONNRESET' });
    const third = await fetchOnce(url);
    assert.equal(third.status, 200);
    assert.equal(JSON.parse(third.body).path, '/retry/rst?uuid=u-rst&succeedAfter=2');
  });

  it('answers responseCode instead of resetting, counting attempts per uuid', async () => {
    const url = (uuid: string) => `${base}/retry/code?uuid=${uuid}&succeedAfter=1&responseCode=503`;
    assert.equal((await fetchOnce(url('a'))).status, 503);
    assert.equal((await fetchOnce(url('b'))).status, 503, 'a new uuid starts its own count');
    assert.equal((await fetchOnce(url('a'))).status, 200);
  });

  it('waits delayRetry before a failing attempt', async () => {
    const started = performance.now();
    const res = await fetchOnce(
      `${base}/retry/slow?uuid=slow&succeedAfter=1&responseCode=500&delayRetry=200ms`,
    );
    assert.equal(res.status, 500);
    assert.ok(performance.now() - started >= 195, 'failed before delayRetry');
  });

  it('rejects a request without uuid', async () => {
    const res = await fetchOnce(`${base}/retry/x?succeedAfter=1`);
    assert.equal(res.status, 400);
    assert.match(JSON.parse(res.body).message, /uuid/);
  });
});

describe('echo server: h2c port', () => {
  let server: EchoServer;

  before(async () => {
    server = await startEcho({ host: '127.0.0.1', httpPort: 0, h2cPort: 0, context: CONTEXT, log: () => {} });
  });
  after(() => server.close());

  it('echoes HTTP/2 prior-knowledge requests, whatever the path', async () => {
    const res = await fetchHttp2(`http://127.0.0.1:${server.h2cPort}`, {
      ':path': '/health?x=1',
      ':authority': 'example.com',
      'x-foo': '1',
    });
    assert.equal(res.status, 200);
    const echo = JSON.parse(res.body);
    assert.equal(echo.proto, 'HTTP/2.0');
    assert.equal(echo.path, '/health?x=1');
    assert.equal(echo.host, 'example.com');
    assert.deepEqual(echo.headers['X-Foo'], ['1']);
    assert.equal(echo.headers.Host, undefined);
    assert.equal(echo.pod, CONTEXT.pod);
  });

  it('answers 400 "Expected h2c request" to HTTP/1.1', async () => {
    const res = await fetchOnce(`http://127.0.0.1:${server.h2cPort}/`);
    assert.equal(res.status, 400);
    assert.equal(res.body, 'Expected h2c request');
  });

  it('echoes an HTTP/1.1 request carrying Upgrade: h2c (over HTTP/1.1: no upgrade is made)', async () => {
    const res = await fetchOnce(`http://127.0.0.1:${server.h2cPort}/up`, {
      headers: { upgrade: 'h2c', connection: 'upgrade' },
    });
    assert.equal(res.status, 200);
    assert.equal(JSON.parse(res.body).proto, 'HTTP/1.1');
  });
});
