/**
 * What a conformance case is and what it gets to work with. A ConformanceTest mirrors upstream's
 * (short name, features it needs, manifests applied before it runs and deleted after); the Suite
 * is the running harness as a case sees it: the Kubernetes client and waits, the HTTP client, the
 * applier, the controller name, the suite's certificates, and the pods (for IPs and logs).
 */
import type { Applier } from './applier.js';
import type { Client } from './http.js';
import type { Kube } from './kube.js';
import type { RunningPod } from './kubelet.js';
import type { KeyPair } from './pki.js';
import type { T } from './t.js';
import type { TimeoutConfig } from './timeouts.js';
import type { Waits } from './waits.js';

export interface ConformanceTest {
  shortName: string;
  description: string;
  features: readonly string[];
  manifests: readonly string[];
  provisional?: boolean;
  test: (t: T, suite: Suite) => Promise<void>;
}

export interface Suite extends Waits {
  kube: Kube;
  timeouts: TimeoutConfig;
  client: Client;
  applier: Applier;
  controllerName: string;
  gatewayClassName: string;
  supportedFeatures: ReadonlySet<string>;
  /** A Secret's key pair made by the suite, by `<namespace>/<name>`. */
  keyPair(namespacedName: string): KeyPair;
  /** Running pods whose name starts with `prefix` in `namespace`. */
  pods(namespace: string, prefix?: string): RunningPod[];
  /** Log lines since `sinceMs` (epoch ms) of the pods labelled `app=<app>`, as `kubectl logs -l`. */
  podLogs(namespace: string, app: string, sinceMs: number): string[];
}

export const INFRA_NS = 'gateway-conformance-infra';
export const APP_BACKEND_NS = 'gateway-conformance-app-backend';
export const WEB_BACKEND_NS = 'gateway-conformance-web-backend';
