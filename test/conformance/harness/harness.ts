/**
 * The harness's lifecycle, once for a whole run: cluster (API server double or --kubeconfig) with
 * the CRDs, pod network, kubelet and EndpointSlice controller, the GatewayClass, the controller
 * under test, then upstream's Setup (GatewayClass accepted, base manifests applied and kept, the
 * suite's Secrets and CA ConfigMaps created, base namespaces ready). `runTest` runs one case as
 * upstream's ConformanceTest.Run does: apply its manifests with cleanup, run it, clean up.
 */
import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CONTROLLER_NAME } from '../../../src/translator/types.js';
import { PodNetwork, podNetworkUnavailableReason } from '../pods/pod-network.js';
import { Applier, type GatewayAddress } from './applier.js';
import { Cluster, type CrdBundle } from './cluster.js';
import { ControllerProcess } from './controller.js';
import { EndpointsController } from './endpoints.js';
import { defaultClient } from './http.js';
import { type AnyObject, GATEWAY_V1, type ObjectRef, refName, refOf } from './kube.js';
import { Kubelet } from './kubelet.js';
import { MANIFEST_DIR } from './paths.js';
import { createSuitePki, type KeyPair } from './pki.js';
import { GATEWAY_HTTP_CORE } from './profiles.js';
import { APP_BACKEND_NS, type ConformanceTest, INFRA_NS, type Suite, WEB_BACKEND_NS } from './suite.js';
import { describeError, T, type TestOutcome } from './t.js';
import { DEFAULT_TIMEOUTS } from './timeouts.js';
import { gwcMustBeAccepted, namespacesMustBeReady } from './waits.js';

export interface HarnessOptions {
  kubeconfig?: string;
  gatewayClassName?: string;
  controllerName?: string;
  /** Overrides the features read from GatewayClass status.supportedFeatures. */
  supportedFeatures?: readonly string[];
  /** Echo harness progress to stderr as it happens. */
  verbose?: boolean;
  /** Delete the base resources (and a GatewayClass the harness made) when stopping; default true. */
  cleanupBaseResources?: boolean;
}

/** An address no interface of this host has (TEST-NET-2), so binding it fails: "unusable". */
const UNUSABLE_ADDRESS = '198.51.100.7';

export class Harness {
  private cluster?: Cluster;
  private network?: PodNetwork;
  private kubelet?: Kubelet;
  private endpoints?: EndpointsController;
  private controller?: ControllerProcess;
  private suiteContext?: Suite;
  private readonly setupLog: string[] = [];
  /** What Setup created and a clean-up deletes (last first). */
  private readonly baseObjects: ObjectRef[] = [];
  bundle?: CrdBundle;
  setupOutcome?: TestOutcome;

  constructor(private readonly options: HarnessOptions = {}) {}

  get suite(): Suite {
    if (!this.suiteContext) throw new Error('the harness is not set up');
    return this.suiteContext;
  }

  /** Why the harness cannot run here (no upstream manifests, no pod network), or undefined. */
  static async unavailableReason(): Promise<string | undefined> {
    if (!existsSync(join(MANIFEST_DIR, 'base/manifests.yaml'))) {
      return `the upstream conformance manifests are missing: ${MANIFEST_DIR} has no base/manifests.yaml (the repository vendors them in conformance/upstream; GATEWAY_API_CONFORMANCE_DIR overrides)`;
    }
    return podNetworkUnavailableReason();
  }

  /** Starts everything and runs upstream's Setup; throws with the setup log if it fails. */
  async start(): Promise<void> {
    const log = (message: string) => this.note(message);
    const gatewayClassName = this.options.gatewayClassName ?? 'gatehouse';
    const controllerName = this.options.controllerName ?? DEFAULT_CONTROLLER_NAME;
    this.cluster = await Cluster.start(
      this.options.kubeconfig ? { kubeconfig: this.options.kubeconfig } : {},
    );
    const kube = this.cluster.kube;
    this.bundle = await this.cluster.installCrds();
    log(`CRDs installed: Gateway API ${this.bundle.version} (${this.bundle.channel})`);
    this.network = await PodNetwork.create();
    log(`pod network ${this.network.subnet} in ${this.network.netns}`);
    this.endpoints = new EndpointsController(kube, () => this.kubelet?.pods() ?? [], log);
    this.kubelet = new Kubelet(kube, this.network, log, () => this.endpoints?.kick());
    await this.kubelet.start();
    await this.endpoints.start();
    await this.ensureGatewayClass(gatewayClassName, controllerName);
    const pool = `127.${randomInt(100, 250)}.0.0/16`;
    this.controller = ControllerProcess.start({
      kubeconfig: this.cluster.kubeconfigPath,
      controllerName,
      addressPool: pool,
    });
    log(`controller started with --address-pool ${pool}`);
    const pki = await createSuitePki();
    const usable: GatewayAddress[] = [{ type: 'IPAddress', value: pool.replace('.0.0/16', '.250.1') }];
    const unusable: GatewayAddress[] = [{ type: 'IPAddress', value: UNUSABLE_ADDRESS }];
    const applier = new Applier(kube, {
      gatewayClassName,
      controllerName,
      usableAddresses: usable,
      unusableAddresses: unusable,
    });
    const timeouts = { ...DEFAULT_TIMEOUTS };
    const partial = { kube, timeouts };
    this.setupOutcome = await T.runTest('Setup', async (t) => {
      const name = await gwcMustBeAccepted(t, partial, gatewayClassName);
      // As upstream: running a profile turns its core features on whatever the class claims.
      const claimed = this.options.supportedFeatures ?? (await this.supportedFeatures(gatewayClassName));
      const features = [...GATEWAY_HTTP_CORE, ...claimed];
      this.suiteContext = {
        ...partial,
        client: defaultClient(timeouts),
        applier,
        controllerName: name,
        gatewayClassName,
        supportedFeatures: new Set(features),
        keyPair: (key) => pairOf(pki.pairs, key),
        pods: (namespace, prefix = '') =>
          (this.kubelet?.pods(namespace) ?? []).filter((p) => p.name.startsWith(prefix)),
        podLogs: (namespace, app, sinceMs) =>
          (this.kubelet?.pods(namespace) ?? [])
            .filter((p) => p.labels.app === app)
            .flatMap((p) => p.process.logs(sinceMs).split('\n')),
      };
      const base = await applier.apply(t, 'base/manifests.yaml', false);
      const suiteObjects = await applier.applyObjects(t, pki.objects, false);
      this.baseObjects.push(...[...base, ...suiteObjects].map(refOf));
      await namespacesMustBeReady(t, partial, [INFRA_NS, APP_BACKEND_NS, WEB_BACKEND_NS]);
      await this.kubelet?.settled();
      await this.endpoints?.settled();
    });
    for (const line of this.setupOutcome.logs) this.setupLog.push(line);
    if (!this.setupOutcome.passed) {
      throw new Error(
        `harness setup failed:\n${this.setupOutcome.failures.join('\n')}\n${this.diagnostics()}`,
      );
    }
  }

  /** Runs one case: its manifests are applied with cleanup, then its body, then the cleanups. */
  runTest(test: ConformanceTest): Promise<TestOutcome> {
    const suite = this.suite;
    return T.runTest(test.shortName, async (t) => {
      for (const manifest of test.manifests) await suite.applier.apply(t, manifest, true);
      await test.test(t, suite);
    });
  }

  /** The controller's recent log and the harness's own notes, for failure reports. */
  diagnostics(): string {
    const controller = this.controller?.logTail() ?? [];
    const exited = this.controller && !this.controller.running ? ' (the controller process has exited)' : '';
    return [
      `--- harness log (last 40 lines) ---`,
      ...this.setupLog.slice(-40),
      `--- controller log (last ${controller.length} lines)${exited} ---`,
      ...controller,
    ].join('\n');
  }

  async stop(): Promise<void> {
    if (this.options.cleanupBaseResources !== false) await this.deleteBaseResources();
    await this.controller?.stop();
    await this.endpoints?.stop();
    await this.kubelet?.stop();
    await this.network?.destroy();
    await this.cluster?.stop();
  }

  private note(message: string): void {
    this.setupLog.push(message);
    if (this.options.verbose) process.stderr.write(`[harness] ${message}\n`);
  }

  /** As upstream's CleanupBaseResources: everything Setup created goes, while the controller runs. */
  private async deleteBaseResources(): Promise<void> {
    const kube = this.cluster?.kube;
    if (!kube) return;
    for (const ref of this.baseObjects.reverse()) {
      try {
        await kube.delete(ref);
      } catch (error) {
        this.note(`could not delete ${refName(ref)} ${ref.kind}: ${describeError(error)}`);
      }
    }
    this.baseObjects.length = 0;
  }

  private async ensureGatewayClass(name: string, controllerName: string): Promise<void> {
    const kube = this.cluster!.kube;
    const ref = { apiVersion: GATEWAY_V1, kind: 'GatewayClass', name };
    if (await kube.get(ref)) return;
    this.baseObjects.push(ref);
    await kube.create<AnyObject>({
      apiVersion: GATEWAY_V1,
      kind: 'GatewayClass',
      metadata: { name },
      spec: { controllerName },
    });
  }

  private async supportedFeatures(gatewayClassName: string): Promise<string[]> {
    const gwc = await this.cluster!.kube.mustGet({
      apiVersion: GATEWAY_V1,
      kind: 'GatewayClass',
      name: gatewayClassName,
    });
    const listed =
      (gwc.status as { supportedFeatures?: { name: string }[] } | undefined)?.supportedFeatures ?? [];
    return listed.map((f) => f.name);
  }
}

function pairOf(pairs: ReadonlyMap<string, KeyPair>, key: string): KeyPair {
  const pair = pairs.get(key);
  if (!pair) throw new Error(`the suite made no certificate ${key}`);
  return pair;
}
