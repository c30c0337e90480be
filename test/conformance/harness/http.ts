/**
 * The suite's traffic assertions (conformance/utils/http/http.go): an ExpectedResponse describes
 * the request to send and what must come back; `compareRoundTrip` checks one exchange (status set,
 * timeouts, then for 200 the echoed method, path, host, namespace, headers present and absent,
 * response headers and the backend pod prefix, for 3xx the Location parts). The eventually-
 * consistent loop wants `requiredConsecutiveSuccesses` correct answers in a row within
 * MaxTimeToConsistency, pausing 1 s after each miss; the expected-failure loop wants 5 non-200
 * answers in a row. A timed-out case reports what it sent, what it expected and what it got.
 */
import { performance } from 'node:perf_hooks';
import {
  type CapturedRequest,
  type CapturedResponse,
  captureRoundTrip,
  defaultHost,
  isRedirect,
  isTimeoutError,
  type RedirectRequest,
  type Request,
  type RoundTrip,
  type TlsOptions,
} from './roundtrip.js';
import { describeError, sleep, type T } from './t.js';
import type { TimeoutConfig } from './timeouts.js';

export interface HttpRequestSpec {
  host?: string;
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  unfollowRedirect?: boolean;
  protocol?: string;
  body?: string;
  sni?: string;
  /** PEM of a client certificate the backend must have seen (upstream's Request.ClientCert). */
  clientCert?: string;
}

export interface ExpectedRequest extends HttpRequestSpec {
  absentHeaders?: string[];
  httpPort?: string;
}

export interface ExpectedHttpResponse {
  statusCode?: number;
  statusCodes?: number[];
  headers?: Record<string, string>;
  /** Each header must equal one of the listed values. */
  validHeaderValues?: Record<string, string[]>;
  /** Compare response header values with all whitespace removed. */
  ignoreWhitespace?: boolean;
  absentHeaders?: string[];
  protocol?: string;
}

export interface MirroredBackend {
  name: string;
  namespace: string;
  percent?: number;
}

export interface ExpectedResponse {
  request: HttpRequestSpec;
  expectedRequest?: ExpectedRequest;
  redirectRequest?: Partial<RedirectRequest>;
  backendSetResponseHeaders?: Record<string, string>;
  response?: ExpectedHttpResponse;
  backend?: string;
  namespace?: string;
  mirroredTo?: MirroredBackend[];
  testCaseName?: string;
}

export interface Client {
  timeouts: TimeoutConfig;
  /** Sends one request; the default sends it for real (tests of the harness may substitute). */
  roundTrip: (req: Request) => Promise<RoundTrip>;
}

export function defaultClient(timeouts: TimeoutConfig): Client {
  return { timeouts, roundTrip: captureRoundTrip };
}

/** The expected status codes, defaulted as upstream's MakeRequest does. */
export function expectedStatusCodes(expected: ExpectedResponse): number[] {
  const codes = [...(expected.response?.statusCodes ?? [])];
  if (expected.response?.statusCode) codes.push(expected.response.statusCode);
  return codes.length > 0 ? codes : [200];
}

/** The request upstream's MakeRequest builds, including the X-Echo-Set-Header it always sends. */
export function makeRequest(
  client: Client,
  expected: ExpectedResponse,
  gwAddr: string,
  scheme: 'http' | 'https',
  tls?: TlsOptions,
): Request {
  const [path = '/', query] = splitOnce(expected.request.path || '/', '?');
  const echoSet = Object.entries(expected.backendSetResponseHeaders ?? {}).map(([n, v]) => `${n}:${v}`);
  return {
    scheme,
    address: gwAddr,
    path: query === undefined ? path : `${path}?${query}`,
    method: expected.request.method || 'GET',
    headers: { ...expected.request.headers, 'X-Echo-Set-Header': echoSet.join(',') },
    timeoutMs: client.timeouts.requestTimeout,
    ...(expected.request.host ? { host: expected.request.host } : {}),
    ...(expected.request.protocol ? { protocol: expected.request.protocol } : {}),
    ...(expected.request.body ? { body: expected.request.body } : {}),
    ...(tls ? { tls } : {}),
  };
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const idx = text.indexOf(separator);
  return idx < 0 ? [text, undefined] : [text.slice(0, idx), text.slice(idx + 1)];
}

/** Upstream's GetTestCaseName. */
export function testCaseName(expected: ExpectedResponse, index: number): string {
  if (expected.testCaseName) return expected.testCaseName;
  const withHeaders = expected.request.headers ? ' with headers' : '';
  const base = `${index} request to '${expected.request.host ?? ''}${expected.request.path ?? ''}'${withHeaders}`;
  return expected.backend
    ? `${base} should go to ${expected.backend}`
    : `${base} should receive one of ${JSON.stringify(expectedStatusCodes(expected))}`;
}

/** Checks one exchange; answers the first mismatch, or undefined when it is as expected. */
export function compareRoundTrip(
  req: Request,
  rt: RoundTrip,
  expected: ExpectedResponse,
): string | undefined {
  const { request: cReq, response: cRes } = rt;
  const codes = expectedStatusCodes(expected);
  if (isTimeoutError(cRes.statusCode) && codes.some(isTimeoutError)) return undefined;
  if (!codes.includes(cRes.statusCode)) {
    return `expected status code to be one of ${JSON.stringify(codes)}, got ${cRes.statusCode}`;
  }
  const protocol = expected.response?.protocol;
  if (protocol && protocol !== cRes.protocol)
    return `expected protocol to be ${protocol}, got ${cRes.protocol}`;
  if (cRes.statusCode === 200 || cRes.statusCode === 204) return compareEcho(cReq, cRes, expected);
  if (isRedirect(cRes.statusCode)) return compareRedirect(req, cRes, expected);
  return undefined;
}

function compareEcho(
  cReq: CapturedRequest,
  cRes: CapturedResponse,
  expected: ExpectedResponse,
): string | undefined {
  const want: ExpectedRequest = expected.expectedRequest ?? { ...expected.request };
  const method = want.method || 'GET';
  const path = want.path ?? '';
  if (want.host && want.host !== cReq.host) return `expected host to be ${want.host}, got ${cReq.host}`;
  if (path !== cReq.path) return `expected path to be ${path}, got ${cReq.path}`;
  if (method !== cReq.method) return `expected method to be ${method}, got ${cReq.method}`;
  if ((expected.namespace ?? '') !== cReq.namespace) {
    return `expected namespace to be ${expected.namespace ?? ''}, got ${cReq.namespace}`;
  }
  const requestHeaders = lowerKeys(cReq.headers ?? {});
  const headerMismatch = compareHeaders('', want.headers, requestHeaders, cReq.headers === undefined);
  if (headerMismatch) return headerMismatch;
  if (want.httpPort && want.httpPort !== cReq.httpPort)
    return `expected httpPort "${want.httpPort}", got "${cReq.httpPort}"`;
  const responseMismatch = compareResponseHeaders(expected.response ?? {}, cRes.headers);
  if (responseMismatch) return responseMismatch;
  for (const name of expected.response?.absentHeaders ?? []) {
    const value = cRes.headers[name.toLowerCase()];
    if (value) return `expected response ${name} header to not be set, got ${JSON.stringify(value)}`;
  }
  for (const name of want.absentHeaders ?? []) {
    const value = requestHeaders[name.toLowerCase()];
    if (value) return `expected ${name} header to not be set, got ${JSON.stringify(value)}`;
  }
  if (!cReq.pod.startsWith(expected.backend ?? '')) {
    return `expected pod name to start with ${expected.backend}, got ${cReq.pod}`;
  }
  if (want.sni && want.sni !== cReq.tls?.serverName) {
    return `expected SNI ${JSON.stringify(want.sni)}, got ${JSON.stringify(cReq.tls?.serverName)}`;
  }
  const peers = (cReq.tls?.peerCertificates ?? []).map((pem) => pem.trim());
  if (want.clientCert && !peers.includes(want.clientCert.trim())) {
    return `expected the backend to see client certificate ${JSON.stringify(want.clientCert.slice(0, 80))}…, got ${peers.length} certificate(s)`;
  }
  return undefined;
}

function compareHeaders(
  label: string,
  want: Record<string, string> | undefined,
  actual: Record<string, string[]>,
  noneCaptured: boolean,
): string | undefined {
  if (!want) return undefined;
  if (noneCaptured) return `no ${label}headers captured, expected ${Object.keys(want).length}`;
  for (const [name, value] of Object.entries(want)) {
    const got = actual[name.toLowerCase()];
    if (!got) return `expected ${label}${name} header to be set, actual headers: ${JSON.stringify(actual)}`;
    if (got.join(',') !== value)
      return `expected ${label}${name} header to be set to ${value}, got ${got.join(',')}`;
  }
  return undefined;
}

function compareResponseHeaders(
  want: ExpectedHttpResponse,
  actual: Record<string, string[]>,
): string | undefined {
  const normalise = (value: string) => (want.ignoreWhitespace ? value.replace(/\s+/g, '') : value);
  const allowed: [string, string[]][] = [
    ...Object.entries(want.headers ?? {}).map(([name, value]): [string, string[]] => [name, [value]]),
    ...Object.entries(want.validHeaderValues ?? {}),
  ];
  for (const [name, values] of allowed) {
    const got = actual[name.toLowerCase()];
    if (!got) return `expected response ${name} header to be set, actual headers: ${JSON.stringify(actual)}`;
    const joined = normalise(got.join(','));
    if (!values.some((value) => normalise(value) === joined)) {
      return `expected response ${name} header to be one of ${JSON.stringify(values)}, got ${got.join(',')}`;
    }
  }
  return undefined;
}

function compareRedirect(
  req: Request,
  cRes: CapturedResponse,
  expected: ExpectedResponse,
): string | undefined {
  if (!expected.redirectRequest || !cRes.redirect) return undefined;
  const got = cRes.redirect;
  const want = {
    host: expected.redirectRequest.host || got.host,
    scheme: expected.redirectRequest.scheme || req.scheme,
    path: expected.redirectRequest.path || req.path.split('?')[0]!,
    port: expected.redirectRequest.port ?? '',
  };
  if (want.host !== got.host) return `expected redirected hostname to be "${want.host}", got "${got.host}"`;
  if (want.port === '') {
    const scheme = got.scheme.toLowerCase();
    if (scheme === 'http' && got.port !== '80' && got.port !== '') {
      return `for http scheme, expected redirected port to be 80 or not set, got "${got.port}"`;
    }
    if (scheme === 'https' && got.port !== '443' && got.port !== '') {
      return `for https scheme, expected redirected port to be 443 or not set, got "${got.port}"`;
    }
  } else if (want.port !== got.port) {
    return `expected redirected port to be "${want.port}", got "${got.port}"`;
  }
  if (want.scheme !== got.scheme)
    return `expected redirected scheme to be "${want.scheme}", got "${got.scheme}"`;
  if (want.path !== got.path) return `expected redirected path to be "${want.path}", got "${got.path}"`;
  return undefined;
}

function lowerKeys(headers: Record<string, string[]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(headers)) out[name.toLowerCase()] = values;
  return out;
}

/**
 * Runs `attempt` until it succeeds `threshold` times in a row (upstream's AwaitConvergence): no
 * pause after a success, 1 s after a miss; fails the test after `maxTimeMs`, reporting the last miss.
 */
export async function awaitConvergence(
  t: T,
  threshold: number,
  maxTimeMs: number,
  attempt: (elapsedMs: number) => Promise<string | undefined>,
): Promise<void> {
  const start = performance.now();
  let successes = 0;
  let attempts = 0;
  let lastMiss = '';
  for (;;) {
    if (performance.now() - start >= maxTimeMs) {
      t.fatal(
        `timeout while waiting after ${attempts} attempts, ${successes}/${threshold} successes\n${lastMiss}`,
      );
    }
    const miss = await attempt(performance.now() - start);
    attempts++;
    if (miss === undefined) {
      successes++;
      if (successes >= threshold) return;
      continue;
    }
    successes = 0;
    lastMiss = miss;
    const remaining = maxTimeMs - (performance.now() - start);
    if (remaining <= 0) continue;
    await sleep(Math.min(1000, remaining));
  }
}

export async function waitForConsistentResponse(
  t: T,
  client: Client,
  req: Request,
  expected: ExpectedResponse,
): Promise<void> {
  const { requiredConsecutiveSuccesses, maxTimeToConsistency } = client.timeouts;
  await awaitConvergence(t, requiredConsecutiveSuccesses, maxTimeToConsistency, async (elapsed) => {
    let rt: RoundTrip;
    try {
      rt = await client.roundTrip(req);
    } catch (error) {
      const miss = `request failed: ${describeError(error)}\n${describeExchange(req, expected)}`;
      t.log(`Request failed, not ready yet: ${describeError(error)} (after ${Math.round(elapsed)}ms)`);
      return miss;
    }
    const mismatch = compareRoundTrip(req, rt, expected);
    if (mismatch === undefined) return undefined;
    t.log(`Response expectation failed, not ready yet: ${mismatch} (after ${Math.round(elapsed)}ms)`);
    return `${mismatch}\n${describeExchange(req, expected, rt)}`;
  });
  t.log('Request passed');
}

export async function makeRequestAndExpectEventuallyConsistentResponse(
  t: T,
  client: Client,
  gwAddr: string,
  expected: ExpectedResponse,
): Promise<void> {
  await waitForConsistentResponse(t, client, makeRequest(client, expected, gwAddr, 'http'), expected);
}

/** Upstream's MakeRequestAndExpectFailure: 5 non-200 answers in a row; a 200 fails at once. */
export async function makeRequestAndExpectFailure(
  t: T,
  client: Client,
  gwAddr: string,
  expected: ExpectedResponse,
): Promise<void> {
  const req = makeRequest(client, expected, gwAddr, 'http');
  await awaitConvergence(t, 5, client.timeouts.maxTimeToConsistency, async () => {
    let rt: RoundTrip;
    try {
      rt = await client.roundTrip(req);
    } catch (error) {
      return `request failed: ${describeError(error)}\n${describeExchange(req, expected)}`;
    }
    if (isTimeoutError(rt.response.statusCode))
      return `got ${rt.response.statusCode}\n${describeExchange(req, expected, rt)}`;
    if (rt.response.statusCode === 200) {
      t.fatal(`request should have failed, got HTTP 200 instead\n${describeExchange(req, expected, rt)}`);
    }
    return undefined;
  });
}

/** What was sent, what was expected, what came back: the text a failing case prints. */
export function describeExchange(req: Request, expected: ExpectedResponse, rt?: RoundTrip): string {
  const host = req.host || defaultHost(req.address, req.scheme);
  const lines = [
    `  sent:     ${req.method} ${req.scheme}://${req.address}${req.path} (${req.protocol ?? 'HTTP/1.1'})`,
    `            Host: ${host}${req.tls ? ` SNI: ${req.tls.serverName}` : ''}`,
    `            headers: ${JSON.stringify(req.headers)}`,
    `  expected: status ${JSON.stringify(expectedStatusCodes(expected))}${expected.backend ? `, backend ${expected.backend}` : ''}${expected.namespace ? `, namespace ${expected.namespace}` : ''}`,
  ];
  const want = expected.expectedRequest;
  if (want) lines.push(`            backend request: ${JSON.stringify(want)}`);
  if (expected.response?.headers)
    lines.push(`            response headers: ${JSON.stringify(expected.response.headers)}`);
  if (expected.redirectRequest)
    lines.push(`            redirect: ${JSON.stringify(expected.redirectRequest)}`);
  if (rt) {
    lines.push(`  got:      status ${rt.response.statusCode} ${rt.response.protocol}`);
    lines.push(`            headers: ${JSON.stringify(rt.response.headers)}`);
    lines.push(`            body: ${rt.response.body.slice(0, 2000)}`);
  } else {
    lines.push('  got:      no response');
  }
  return lines.join('\n');
}
