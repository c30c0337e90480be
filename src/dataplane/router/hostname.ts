// Hostname tables: the Gateway API hostname precedence (exact, then the longest matching wildcard,
// then catch-all) as map lookups. Shared by listener selection on a port, SNI certificate choice
// and the per-listener route index, so all three agree on which name wins.

/**
 * The host a request is addressed to, as matched against hostnames: port removed, lower-cased,
 * trailing dot removed. IPv6 literals keep their brackets (`[::1]`).
 */
export function normalizeHost(raw: string | undefined): string {
  if (raw === undefined || raw.length === 0) return '';
  let end = raw.length;
  if (raw.charCodeAt(0) === 91 /* [ */) {
    const close = raw.indexOf(']');
    if (close !== -1) end = close + 1;
  } else {
    const colon = raw.lastIndexOf(':');
    if (colon !== -1) end = colon;
  }
  if (end > 0 && raw.charCodeAt(end - 1) === 46 /* . */) end--;
  const host = end === raw.length ? raw : raw.slice(0, end);
  return host.toLowerCase();
}

/** `*.example.com` → `.example.com` (the key wildcard tables use); undefined for non-wildcards. */
export function wildcardSuffix(hostname: string): string | undefined {
  return hostname.startsWith('*.') ? hostname.slice(1).toLowerCase() : undefined;
}

/** One value per hostname: exact names, wildcards and a catch-all (`null` hostname). */
export class HostTable<T> {
  readonly exact = new Map<string, T>();
  readonly wildcard = new Map<string, T>();
  any: T | undefined;

  /** Adds `value` under `hostname` unless that name is already taken (first one wins). */
  add(hostname: string | null, value: T): boolean {
    if (hostname === null || hostname === '' || hostname === '*') {
      if (this.any !== undefined) return false;
      this.any = value;
      return true;
    }
    const suffix = wildcardSuffix(hostname);
    const table = suffix === undefined ? this.exact : this.wildcard;
    const key = suffix ?? hostname.toLowerCase();
    if (table.has(key)) return false;
    table.set(key, value);
    return true;
  }

  /** The value of the most specific hostname matching `host` (already normalized). */
  lookup(host: string): T | undefined {
    const exact = this.exact.get(host);
    if (exact !== undefined) return exact;
    if (this.wildcard.size > 0) {
      let dot = host.indexOf('.', 1);
      while (dot !== -1) {
        const value = this.wildcard.get(host.slice(dot));
        if (value !== undefined) return value;
        dot = host.indexOf('.', dot + 1);
      }
    }
    return this.any;
  }
}
