// Kubeconfigs that point at the double: a KubeConfig object for in-process clients and the same
// configuration as YAML for a process started with `--kubeconfig`. Over plain HTTP the cluster
// entry must say insecure-skip-tls-verify (client-node refuses http:// otherwise); over HTTPS it
// carries the CA so the client verifies the server certificate.

import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';

export interface KubeconfigOptions {
  server: string;
  /** PEM of the CA that signed the server certificate (HTTPS); absent for plain HTTP. */
  caPem?: string;
  token?: string;
  namespace?: string;
}

const NAME = 'apiserver-double';

export function kubeconfigYaml(options: KubeconfigOptions): string {
  const cluster: Record<string, unknown> = { server: options.server };
  if (options.caPem) cluster['certificate-authority-data'] = Buffer.from(options.caPem).toString('base64');
  else cluster['insecure-skip-tls-verify'] = true;
  const user: Record<string, unknown> = options.token ? { token: options.token } : {};
  const context: Record<string, unknown> = { cluster: NAME, user: NAME };
  if (options.namespace) context.namespace = options.namespace;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: NAME, cluster }],
    users: [{ name: NAME, user }],
    contexts: [{ name: NAME, context }],
    'current-context': NAME,
  });
}

export function kubeConfigFor(options: KubeconfigOptions): KubeConfig {
  const config = new KubeConfig();
  config.loadFromString(kubeconfigYaml(options));
  return config;
}
