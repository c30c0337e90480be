/**
 * HTTPS variants of the traffic assertions (conformance/utils/tls): the same eventually-consistent
 * loop over TLS to the Gateway, with the server name sent as SNI and checked against the
 * certificate the case trusts.
 */
import { type Client, type ExpectedResponse, makeRequest, waitForConsistentResponse } from './http.js';
import type { T } from './t.js';

export async function makeTLSRequestAndExpectEventuallyConsistentResponse(
  t: T,
  client: Client,
  gwAddr: string,
  serverCertPem: string,
  serverName: string,
  expected: ExpectedResponse,
  clientCert?: { certPem: string; keyPem: string },
): Promise<void> {
  const tls = {
    serverName,
    caPem: serverCertPem,
    ...(clientCert ? { clientCertPem: clientCert.certPem, clientKeyPem: clientCert.keyPem } : {}),
  };
  const req = makeRequest(client, expected, gwAddr, 'https', tls);
  await waitForConsistentResponse(t, client, req, expected);
}
