// The data plane's contract with the rest of the pipeline: apply an IR generation atomically,
// report what was bound so status can say so.

import type { IR } from '../ir/types.js';

export interface DataPlaneOptions {
  /** Address bound by Gateways with no spec.addresses and no pool (default 0.0.0.0). */
  defaultBind: string;
  /** CIDR from which each Gateway gets its own address (e.g. 127.0.10.0/24), when set. */
  addressPool?: string;
  /**
   * What serves HTTP/1.x on plain HTTP listeners: 'fast' (default; raw sockets with Node's llhttp
   * parser and pooled upstream sockets) or 'node' (node:http with undici).
   */
  httpEngine?: 'fast' | 'node';
  /**
   * Several processes serve the same ports (`serve --workers`): each binds its own socket with
   * SO_REUSEPORT where Node supports it (>= 22.12), else node:cluster shares the primary's.
   */
  reusePort?: boolean;
}

export interface GatewayBindReport {
  /** Addresses the Gateway's listeners are bound on. */
  addresses: string[];
  /** Ports that could not be bound, with the reason (e.g. EADDRINUSE). */
  portErrors: { port: number; message: string }[];
}

export interface ApplyReport {
  generation: number;
  /** Keyed by Gateway `namespace/name`. */
  gateways: Record<string, GatewayBindReport>;
}

export interface DataPlane {
  /**
   * Makes `ir` the configuration in force. In-flight requests finish on the old one; new requests
   * use the new one. Listeners are opened/closed only where the set of bound ports changes.
   */
  apply(ir: IR, generation: number): Promise<ApplyReport>;
  /** Stops accepting and closes every listener and upstream pool. */
  close(): Promise<void>;
}
