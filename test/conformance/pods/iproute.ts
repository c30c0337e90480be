/**
 * The iproute2 commands the pod network runs (`ip netns …`, `ip link …`, `ip addr …`,
 * `ip route …`), asynchronously for normal use and synchronously for exit handlers, plus the IPv4
 * arithmetic needed to pick and fill a subnet.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export class IpCommandError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly stderr: string,
  ) {
    super(`ip ${args.join(' ')}: ${stderr.trim() || 'failed'}`);
  }
}

/** Runs `ip <args>` and returns its stdout; throws IpCommandError with ip's own message. */
export async function ip(...args: string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync('ip', args);
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? (error as Error).message;
    throw new IpCommandError(args, stderr);
  }
}

/** Runs `ip <args>` synchronously, ignoring failure (cleanup in exit handlers). */
export function ipSyncQuiet(...args: string[]): string {
  try {
    return execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8' });
  } catch {
    return '';
  }
}

export interface Ipv4Cidr {
  /** The network address as an unsigned 32-bit number. */
  base: number;
  prefix: number;
}

export function parseIpv4(text: string): number {
  const parts = text.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`not an IPv4 address: ${text}`);
  }
  return parts.reduce((value, part) => value * 256 + part, 0);
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

export function parseCidr(text: string): Ipv4Cidr {
  const [address = '', prefixText = '32'] = text.split('/');
  const prefix = Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) throw new Error(`bad prefix length in ${text}`);
  const size = 2 ** (32 - prefix);
  return { base: Math.floor(parseIpv4(address) / size) * size, prefix };
}

export function formatCidr(cidr: Ipv4Cidr): string {
  return `${formatIpv4(cidr.base)}/${cidr.prefix}`;
}

export function cidrSize(cidr: Ipv4Cidr): number {
  return 2 ** (32 - cidr.prefix);
}

export function cidrsOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return a.base < b.base + cidrSize(b) && b.base < a.base + cidrSize(a);
}

/** The destinations of the host's IPv4 main routing table, except the default route. */
export async function routedCidrs(): Promise<Ipv4Cidr[]> {
  const table = await ip('-4', 'route', 'show');
  return table
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((destination) => /^\d+\.\d+\.\d+\.\d+(\/\d+)?$/.test(destination))
    .map(parseCidr);
}
