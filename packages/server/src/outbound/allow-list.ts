import { BlockList, isIP } from 'node:net';
import { parseAddress } from './address.js';

/** Splits `POSTERN_OUTBOUND_ALLOW` (a comma list) into trimmed, non-empty entries. */
export function parseAllowList(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
}

/**
 * Lower-cases a host name, drops a trailing dot and converts it to ASCII the way URLs do,
 * so `Mail.Internal.` and `mail.internal` compare equal. IP literals come back
 * canonical too (`0x7f.1` → `127.0.0.1`, `[::1]` → `::1`).
 */
export function canonicalHost(host: string): string {
  let h = host.trim();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (isIP(h) === 0) {
    try {
      h = new URL(`http://${h}/`).hostname;
    } catch {
      h = h.toLowerCase();
    }
  }
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  return h.endsWith('.') ? h.slice(0, -1) : h;
}

/** The compiled `POSTERN_OUTBOUND_ALLOW`: address ranges and host names. */
export class AllowList {
  private readonly ranges = new BlockList();
  private readonly exactHosts = new Set<string>();
  private readonly suffixes: string[] = [];

  /** Throws an Error naming the entry when one is neither a CIDR, an IP nor a host name. */
  constructor(entries: readonly string[]) {
    for (const raw of entries) {
      const entry = raw.trim();
      if (entry.length === 0) continue;
      if (entry.includes('/')) this.addCidr(entry);
      else if (parseAddress(entry)) this.addCidr(entry);
      else this.addHost(entry);
    }
  }

  private addCidr(entry: string): void {
    const [net, prefixText] = entry.split('/') as [string, string | undefined];
    const parsed = parseAddress(net);
    if (!parsed) throw new Error(`POSTERN_OUTBOUND_ALLOW: "${entry}" is not a valid CIDR`);
    const max = parsed.family === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? max : Number(prefixText);
    if (!/^\d{1,3}$/.test(prefixText ?? String(max)) || prefix > max) {
      throw new Error(`POSTERN_OUTBOUND_ALLOW: "${entry}" has an invalid prefix length`);
    }
    this.ranges.addSubnet(parsed.address, prefix, parsed.family === 4 ? 'ipv4' : 'ipv6');
  }

  private addHost(entry: string): void {
    let name = entry.toLowerCase();
    const wildcard = name.startsWith('*.') || name.startsWith('.');
    if (wildcard) name = name.slice(name.indexOf('.') + 1);
    const host = canonicalHost(name);
    if (!/^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/.test(host)) {
      throw new Error(`POSTERN_OUTBOUND_ALLOW: "${entry}" is not a valid host name or CIDR`);
    }
    if (wildcard) this.suffixes.push(`.${host}`);
    else this.exactHosts.add(host);
  }

  /** Whether a canonical IP address (see parseAddress) lies in an allowed range. */
  hasAddress(address: string, family: 4 | 6): boolean {
    return this.ranges.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }

  /** Whether a host name is listed: exactly, or under a `*.` / `.` entry. */
  hasHost(host: string): boolean {
    const h = canonicalHost(host);
    if (this.exactHosts.has(h)) return true;
    return this.suffixes.some((suffix) => h.endsWith(suffix));
  }
}
