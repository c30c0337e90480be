// Which addresses a Gateway binds: its IR `addresses` when given; else, with an address pool (an
// IPv4 CIDR such as 127.0.10.0/24), an address of its own from the pool, kept for as long as the
// Gateway exists; else the data plane's default bind address.

import { isIPv4 } from 'node:net';
import type { GatewayIR } from '../ir/types.js';

export class AddressPool {
  private readonly first: number;
  private readonly last: number;
  private readonly assigned = new Map<string, string>();

  constructor(readonly cidr: string) {
    const [base, bits] = parseCidr(cidr);
    const size = 2 ** (32 - bits);
    const network = base - (base % size);
    // Network and broadcast addresses are not usable hosts, except in /31 and /32 pools.
    this.first = size > 2 ? network + 1 : network;
    this.last = size > 2 ? network + size - 2 : network + size - 1;
  }

  /** Releases the addresses of Gateways not in `keys`. */
  retain(keys: ReadonlySet<string>): void {
    for (const key of this.assigned.keys()) if (!keys.has(key)) this.assigned.delete(key);
  }

  /** The Gateway's address: the one it already has, else the lowest free one; undefined when full. */
  allocate(gateway: string): string | undefined {
    const existing = this.assigned.get(gateway);
    if (existing !== undefined) return existing;
    const taken = new Set(this.assigned.values());
    for (let n = this.first; n <= this.last; n++) {
      const address = formatIPv4(n);
      if (taken.has(address)) continue;
      this.assigned.set(gateway, address);
      return address;
    }
    return undefined;
  }
}

export interface AddressChoice {
  addresses: string[];
  /** Set when no address could be chosen (the pool is exhausted). */
  error?: string;
}

export function chooseAddresses(
  gateway: GatewayIR,
  defaultBind: string,
  pool: AddressPool | undefined,
): AddressChoice {
  if (gateway.addresses.length > 0) return { addresses: [...new Set(gateway.addresses)] };
  if (pool === undefined) return { addresses: [defaultBind] };
  const address = pool.allocate(gateway.key);
  return address === undefined
    ? { addresses: [], error: `address pool ${pool.cidr} is exhausted` }
    : { addresses: [address] };
}

function parseCidr(cidr: string): [base: number, bits: number] {
  const [address, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  if (address === undefined || !isIPv4(address) || !Number.isInteger(bits) || bits < 0 || bits > 32) {
    throw new Error(`address pool must be an IPv4 CIDR such as 127.0.10.0/24, got ${JSON.stringify(cidr)}`);
  }
  const base = address.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
  return [base, bits];
}

function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}
