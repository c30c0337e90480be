/**
 * Reads echo-basic's environment into `startEcho()` options: HTTP_PORT (3000), H2C_PORT (3001),
 * HTTPS_PORT (8443), TLS_SERVER_CERT and TLS_SERVER_PRIVKEY (HTTPS is served only when both are
 * set), TLS_CLIENT_CACERTS, NAMESPACE, POD_NAME, INGRESS_NAME and SERVICE_NAME. Upstream takes file
 * paths for the TLS variables; inline PEM text is accepted as well. BIND_ADDRESS is ours (upstream
 * binds every interface) so that a pod can listen on its own IP. Upstream's other modes
 * (GRPC_ECHO_SERVER, TCP_ECHO_SERVER, UDP_ECHO_SERVER) are not implemented and are refused.
 */
import { readFileSync } from 'node:fs';
import type { EchoServerOptions } from './server.js';

const UNSUPPORTED_MODES = ['GRPC_ECHO_SERVER', 'TCP_ECHO_SERVER', 'UDP_ECHO_SERVER'];

type Env = Readonly<Record<string, string | undefined>>;

function port(env: Env, name: string, fallback: string): number {
  const text = env[name] || fallback;
  if (!/^\d+$/.test(text) || Number(text) > 65535)
    throw new Error(`${name}: invalid port ${JSON.stringify(text)}`);
  return Number(text);
}

/** A PEM value given inline, or the contents of the file it names. */
function pemOrFile(value: string): string {
  return value.trimStart().startsWith('-----BEGIN') ? value : readFileSync(value, 'utf8');
}

export function echoOptionsFromEnv(env: Env): EchoServerOptions {
  const mode = UNSUPPORTED_MODES.find((name) => env[name]);
  if (mode) throw new Error(`${mode} is set, but only the HTTP mode of echo-basic is implemented`);
  const httpPortLabel = env.HTTP_PORT || '3000';
  const options: EchoServerOptions = {
    httpPort: port(env, 'HTTP_PORT', '3000'),
    h2cPort: port(env, 'H2C_PORT', '3001'),
    httpPortLabel,
    context: {
      namespace: env.NAMESPACE ?? '',
      ingress: env.INGRESS_NAME ?? '',
      service: env.SERVICE_NAME ?? '',
      pod: env.POD_NAME ?? '',
    },
  };
  if (env.BIND_ADDRESS) options.host = env.BIND_ADDRESS;
  if (env.TLS_SERVER_CERT && env.TLS_SERVER_PRIVKEY) {
    options.https = {
      port: port(env, 'HTTPS_PORT', '8443'),
      cert: pemOrFile(env.TLS_SERVER_CERT),
      key: pemOrFile(env.TLS_SERVER_PRIVKEY),
      ...(env.TLS_CLIENT_CACERTS ? { clientCa: pemOrFile(env.TLS_CLIENT_CACERTS) } : {}),
    };
  }
  return options;
}
