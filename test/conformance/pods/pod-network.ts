/**
 * A pod network for the conformance harness: every pod is an echo server process with its own IP
 * address that a real API server accepts in an EndpointSlice (not loopback, not link-local).
 *
 * Layout: one network namespace `gh-pods-<pid>-<hex>` joined to the host by a veth pair. The host
 * end (`ghp<pid>-<hex>`) holds the gateway address `.1` of a /24 taken from a test range (default
 * 198.18.0.0/15, the block RFC 2544 reserves for network testing) and the host routes that /24
 * through it. Inside, `eth0` holds one /32 per pod and routes everything back via `.1`. The host
 * is the far end of the veth, not a router, so IP forwarding is not needed; reverse-path filtering
 * passes too, since each side's route back to the other's source is the veth it arrived on.
 * A pod is `ip netns exec <ns> node echo/main.js`, bound to its IP by BIND_ADDRESS. Needs root.
 */
import { randomInt } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  cleanUpAtExit,
  HOST_LINK_PREFIX,
  NETNS_PREFIX,
  removeNetworkSync,
  sweepStaleNetworks,
} from './cleanup.js';
import {
  cidrSize,
  cidrsOverlap,
  formatCidr,
  formatIpv4,
  IpCommandError,
  type Ipv4Cidr,
  ip,
  parseCidr,
  routedCidrs,
} from './iproute.js';
import { EchoProcess, type ListeningPorts, type LogEntry, type Since } from './pod-process.js';

export interface PodNetworkOptions {
  /** The range a free /24 is picked from; default 198.18.0.0/15. */
  range?: string;
  /** Use exactly this subnet (any prefix up to /30) instead of picking one. */
  subnet?: string;
  /** The echo server entry point; default the compiled echo/main.js beside this module. */
  echoMain?: string;
}

export interface PodSpec {
  name: string;
  namespace: string;
  /** More environment for the echo server (e.g. TLS_SERVER_CERT, SERVICE_NAME). */
  env?: Record<string, string>;
  /** Listener ports; default upstream's 3000 / 3001 / 8443. */
  ports?: { http?: number; h2c?: number; https?: number };
  /** An address from `allocate()`; default a new one. */
  ip?: string;
}

export interface Pod {
  readonly ip: string;
  readonly name: string;
  readonly namespace: string;
  readonly ports: ListeningPorts;
  readonly pid: number;
  /** The log since `since` (all of it when omitted), one line per log line; see `logClock()`. */
  logs(since?: Since): string;
  logEntries(since?: Since): LogEntry[];
  waitForLog(match: string | RegExp, options?: { since?: Since; timeoutMs?: number }): Promise<LogEntry>;
  stop(): Promise<void>;
}

export class PodNetworkUnavailableError extends Error {}

const DEFAULT_RANGE = '198.18.0.0/15';
const SUBNET_PREFIX = 24;
const SUBNET_ATTEMPTS = 16;
const DEFAULT_ECHO_MAIN = fileURLToPath(new URL('../echo/main.js', import.meta.url));

let availability: Promise<string | undefined> | undefined;

/**
 * Why pod networks cannot be made here, or undefined when they can (for test skips). The first
 * call builds and removes a throwaway namespace and veth pair, since being root is not enough in
 * a container without CAP_SYS_ADMIN/CAP_NET_ADMIN.
 */
export function podNetworkUnavailableReason(): Promise<string | undefined> {
  availability ??= probeAvailability();
  return availability;
}

async function probeAvailability(): Promise<string | undefined> {
  if (process.platform !== 'linux') return 'pod networks need Linux network namespaces';
  if (process.getuid?.() !== 0) return 'pod networks need root (ip netns, veth pairs, routes)';
  const suffix = randomSuffix();
  const netns = `${NETNS_PREFIX}${process.pid}-${suffix}`;
  const hostLink = `${HOST_LINK_PREFIX}${process.pid}-${suffix}`;
  try {
    await ip('netns', 'add', netns);
    await ip('link', 'add', hostLink, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns);
    return undefined;
  } catch (error) {
    return `cannot build a pod network here: ${(error as Error).message}`;
  } finally {
    removeNetworkSync(netns, hostLink);
  }
}

function randomSuffix(): string {
  return randomInt(0x10000).toString(16).padStart(4, '0');
}

export class PodNetwork {
  private readonly pods = new Set<EchoProcess>();
  private nextHost = 2;
  private subnetCidr: Ipv4Cidr | undefined;
  private unregister: () => void = () => {};
  private destroyed = false;

  private constructor(
    readonly netns: string,
    readonly hostLink: string,
    private readonly options: PodNetworkOptions,
  ) {}

  /** Builds a network; throws PodNetworkUnavailableError where that is impossible. */
  static async create(options: PodNetworkOptions = {}): Promise<PodNetwork> {
    const reason = await podNetworkUnavailableReason();
    if (reason) throw new PodNetworkUnavailableError(reason);
    await sweepStaleNetworks();
    const suffix = randomSuffix();
    const network = new PodNetwork(
      `${NETNS_PREFIX}${process.pid}-${suffix}`,
      `${HOST_LINK_PREFIX}${process.pid}-${suffix}`,
      options,
    );
    network.unregister = cleanUpAtExit(network);
    try {
      await network.build();
    } catch (error) {
      await network.destroy();
      throw error;
    }
    return network;
  }

  /** The pods' subnet, e.g. 198.18.7.0/24. */
  get subnet(): string {
    return this.subnetCidr ? formatCidr(this.subnetCidr) : '';
  }

  /** The host end's address, the pods' default gateway. */
  get gateway(): string {
    return this.subnetCidr ? formatIpv4(this.subnetCidr.base + 1) : '';
  }

  /** A new pod address, already configured in the namespace. */
  async allocate(): Promise<string> {
    const subnet = this.subnetCidr;
    if (!subnet || this.destroyed) throw new Error('the pod network is not up');
    if (this.nextHost >= cidrSize(subnet) - 1) throw new Error(`no free addresses left in ${this.subnet}`);
    const address = formatIpv4(subnet.base + this.nextHost++);
    await ip('-n', this.netns, 'addr', 'add', `${address}/32`, 'dev', 'eth0');
    return address;
  }

  /** Starts an echo server as a pod and resolves when it listens on its address. */
  async startPod(spec: PodSpec): Promise<Pod> {
    const address = spec.ip ?? (await this.allocate());
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
      BIND_ADDRESS: address,
      HTTP_PORT: String(spec.ports?.http ?? 3000),
      H2C_PORT: String(spec.ports?.h2c ?? 3001),
      HTTPS_PORT: String(spec.ports?.https ?? 8443),
      POD_NAME: spec.name,
      NAMESPACE: spec.namespace,
      ECHO_EXIT_ON_STDIN_END: '1',
      ...spec.env,
    };
    const echoMain = this.options.echoMain ?? DEFAULT_ECHO_MAIN;
    const echo = await EchoProcess.start({
      command: 'ip',
      args: ['netns', 'exec', this.netns, process.execPath, echoMain],
      env,
      expectHttps: Boolean(env.TLS_SERVER_CERT && env.TLS_SERVER_PRIVKEY),
    });
    this.pods.add(echo);
    return {
      ip: address,
      name: spec.name,
      namespace: spec.namespace,
      ports: echo.ports,
      pid: echo.pid,
      logs: (since) => echo.logs(since),
      logEntries: (since) => echo.logEntries(since),
      waitForLog: (match, options) => echo.waitForLog(match, options),
      stop: async () => {
        await echo.stop();
        this.pods.delete(echo);
      },
    };
  }

  /** Stops every pod and removes the namespace, the veth pair and the route. Idempotent. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await Promise.all([...this.pods].map((pod) => pod.stop()));
    this.pods.clear();
    removeNetworkSync(this.netns, this.hostLink);
    this.unregister();
  }

  /** For the exit hook: no awaiting, just SIGKILL and delete. */
  cleanupSync(): void {
    this.destroyed = true;
    for (const pod of this.pods) pod.kill();
    removeNetworkSync(this.netns, this.hostLink);
  }

  private async build(): Promise<void> {
    await ip('netns', 'add', this.netns);
    await ip('link', 'add', this.hostLink, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', this.netns);
    await ip('link', 'set', this.hostLink, 'up');
    await ip('-n', this.netns, 'link', 'set', 'lo', 'up');
    await ip('-n', this.netns, 'link', 'set', 'eth0', 'up');
    this.subnetCidr = await this.claimSubnet();
    await ip('-n', this.netns, 'route', 'add', `${this.gateway}/32`, 'dev', 'eth0', 'scope', 'link');
    await ip('-n', this.netns, 'route', 'add', 'default', 'via', this.gateway, 'dev', 'eth0');
  }

  /**
   * Gives the host end the gateway address and routes the subnet to it. Without a fixed subnet,
   * random /24s of the range that overlap no existing route are tried; `ip route add` fails for a
   * subnet another process took meanwhile, and the next candidate is tried.
   */
  private async claimSubnet(): Promise<Ipv4Cidr> {
    if (this.options.subnet) return this.routeSubnet(parseCidr(this.options.subnet));
    const range = parseCidr(this.options.range ?? DEFAULT_RANGE);
    const slots = Math.max(1, 2 ** (SUBNET_PREFIX - Math.min(range.prefix, SUBNET_PREFIX)));
    for (let attempt = 0; attempt < SUBNET_ATTEMPTS; attempt++) {
      const candidate = {
        base: range.base + randomInt(slots) * 2 ** (32 - SUBNET_PREFIX),
        prefix: SUBNET_PREFIX,
      };
      if ((await routedCidrs()).some((routed) => cidrsOverlap(routed, candidate))) continue;
      try {
        return await this.routeSubnet(candidate);
      } catch (error) {
        if (!(error instanceof IpCommandError && /File exists/.test(error.stderr))) throw error;
      }
    }
    throw new Error(`no free /${SUBNET_PREFIX} found in ${formatCidr(range)}`);
  }

  private async routeSubnet(subnet: Ipv4Cidr): Promise<Ipv4Cidr> {
    if (subnet.prefix > 30) throw new Error(`subnet ${formatCidr(subnet)} is too small for pods`);
    const gateway = formatIpv4(subnet.base + 1);
    await ip('addr', 'add', `${gateway}/32`, 'dev', this.hostLink);
    try {
      await ip('route', 'add', formatCidr(subnet), 'dev', this.hostLink, 'src', gateway);
    } catch (error) {
      await ip('addr', 'del', `${gateway}/32`, 'dev', this.hostLink).catch(() => {});
      throw error;
    }
    return subnet;
  }
}
