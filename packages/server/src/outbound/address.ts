import { BlockList, isIP } from 'node:net';

/**
 * Why an outbound destination is refused (SPEC §3.5). `reserved` covers every range that
 * is not globally routable unicast (documentation, benchmarking, protocol assignments,
 * 240/4, IPv6 outside 2000::/3, deprecated tunnelling forms); `invalid` is a string that
 * is not an IP address at all.
 */
export type BlockReason =
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'cgnat'
  | 'multicast'
  | 'unspecified'
  | 'metadata'
  | 'reserved'
  | 'invalid';

/** An address after normalisation: the literal family and, for v6 forms that carry one, the IPv4 address it reaches. */
export interface ParsedAddress {
  family: 4 | 6;
  /** Canonical text: dotted quad, or eight lower-case hextets for v6. */
  address: string;
  hextets?: number[];
}

/** Strips URL brackets and a v6 zone id (`fe80::1%eth0`), then checks it is an IP. */
export function parseAddress(input: string): ParsedAddress | null {
  let s = input.trim();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const zone = s.indexOf('%');
  if (zone !== -1) s = s.slice(0, zone);
  const family = isIP(s);
  if (family === 4) return { family: 4, address: s };
  if (family === 6) {
    const hextets = expandIPv6(s);
    return { family: 6, address: hextets.map((h) => h.toString(16)).join(':'), hextets };
  }
  return null;
}

/** Eight 16-bit groups of a valid (isIP === 6) address, a trailing dotted IPv4 included. */
function expandIPv6(s: string): number[] {
  let text = s.toLowerCase();
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const b = tail.split('.').map(Number);
    const hi = ((b[0] ?? 0) << 8) | (b[1] ?? 0);
    const lo = ((b[2] ?? 0) << 8) | (b[3] ?? 0);
    text = `${text.slice(0, lastColon + 1)}${hi.toString(16)}:${lo.toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const parts = (p: string) => (p === '' ? [] : p.split(':').map((h) => parseInt(h, 16)));
  if (rest === undefined) return parts(head);
  const left = parts(head);
  const right = parts(rest);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

function v4FromHextets(hi: number, lo: number): string {
  return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
}

type Range = [network: string, prefix: number];

function rangeList(family: 'ipv4' | 'ipv6', ranges: Range[]): BlockList {
  const list = new BlockList();
  for (const [network, prefix] of ranges) list.addSubnet(network, prefix, family);
  return list;
}

// Checked in order: the first list that matches gives the reason, so the specific
// metadata addresses come before the ranges that contain them.
const V4_TABLE: Array<[BlockReason, BlockList]> = [
  [
    'metadata',
    rangeList('ipv4', [
      ['169.254.169.254', 32], // AWS, GCP, Azure, OpenStack instance metadata
      ['169.254.170.2', 32], // AWS ECS task metadata
      ['100.100.100.200', 32], // Alibaba Cloud metadata
      ['168.63.129.16', 32], // Azure WireServer (a public address, platform-only)
    ]),
  ],
  ['unspecified', rangeList('ipv4', [['0.0.0.0', 8]])],
  ['loopback', rangeList('ipv4', [['127.0.0.0', 8]])],
  ['private', rangeList('ipv4', [['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16]])],
  ['cgnat', rangeList('ipv4', [['100.64.0.0', 10]])],
  ['link-local', rangeList('ipv4', [['169.254.0.0', 16]])],
  ['multicast', rangeList('ipv4', [['224.0.0.0', 4]])],
  [
    'reserved',
    rangeList('ipv4', [
      ['192.0.0.0', 24], // IETF protocol assignments
      ['192.0.2.0', 24], // TEST-NET-1
      ['198.51.100.0', 24], // TEST-NET-2
      ['203.0.113.0', 24], // TEST-NET-3
      ['198.18.0.0', 15], // benchmarking
      ['192.88.99.0', 24], // deprecated 6to4 relay anycast
      ['240.0.0.0', 4], // reserved, includes 255.255.255.255
    ]),
  ],
];

const V6_TABLE: Array<[BlockReason, BlockList]> = [
  ['metadata', rangeList('ipv6', [['fd00:ec2::254', 128]])],
  ['unspecified', rangeList('ipv6', [['::', 128]])],
  ['loopback', rangeList('ipv6', [['::1', 128]])],
  ['private', rangeList('ipv6', [['fc00::', 7], ['fec0::', 10]])], // unique-local, deprecated site-local
  ['link-local', rangeList('ipv6', [['fe80::', 10]])],
  ['multicast', rangeList('ipv6', [['ff00::', 8]])],
  [
    'reserved',
    rangeList('ipv6', [
      ['2001::', 32], // Teredo: tunnelled, never a provider's address
      ['2001:2::', 48], // benchmarking
      ['2001:10::', 28], // ORCHID
      ['2001:20::', 28], // ORCHIDv2
      ['2001:db8::', 32], // documentation
      ['3fff::', 20], // documentation (RFC 9637)
      ['5f00::', 16], // SRv6 SIDs
    ]),
  ],
];

const GLOBAL_UNICAST_V6 = rangeList('ipv6', [['2000::', 3]]);

function classifyV4(address: string): BlockReason | null {
  for (const [reason, list] of V4_TABLE) if (list.check(address, 'ipv4')) return reason;
  return null;
}

/**
 * The IPv4 addresses a v6 address really reaches, when it embeds any: IPv4-mapped
 * (::ffff:0:0/96), IPv4-translated (::ffff:0:0:0/96), IPv4-compatible (::/96), NAT64
 * (64:ff9b::/96, and 64:ff9b:1::/48 at each RFC 6052 prefix length) and 6to4 (2002::/16).
 */
export function embeddedIPv4(hextets: readonly number[]): string[] {
  const h = (i: number) => hextets[i] ?? 0;
  const zeros = (from: number, to: number) => hextets.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && h(5) === 0xffff) return [v4FromHextets(h(6), h(7))];
  if (zeros(0, 4) && h(4) === 0xffff && h(5) === 0) return [v4FromHextets(h(6), h(7))];
  if (zeros(0, 6) && (h(6) !== 0 || h(7) > 1)) return [v4FromHextets(h(6), h(7))];
  if (h(0) === 0x64 && h(1) === 0xff9b && zeros(2, 6)) return [v4FromHextets(h(6), h(7))];
  if (h(0) === 0x64 && h(1) === 0xff9b && h(2) === 1) {
    // The operator's prefix length is unknown. With nothing between the prefix and the
    // last 32 bits it is the /96 layout; otherwise every RFC 6052 layout is checked
    // (/48, /56, /64 — bits 64–71 are the zero "u" octet — and /96).
    if (zeros(3, 6)) return [v4FromHextets(h(6), h(7))];
    return [
      v4FromHextets(h(3), ((h(4) & 0xff) << 8) | (h(5) >> 8)),
      v4FromHextets(((h(3) & 0xff) << 8) | (h(4) & 0xff), h(5)),
      v4FromHextets(((h(4) & 0xff) << 8) | (h(5) >> 8), ((h(5) & 0xff) << 8) | (h(6) >> 8)),
      v4FromHextets(h(6), h(7)),
    ];
  }
  if (h(0) === 0x2002) return [v4FromHextets(h(1), h(2))];
  return [];
}

/**
 * Classifies an address by what a connection to it reaches. Returns the reason it is
 * blocked, or null for a public unicast address. `allowedV4` exempts embedded IPv4
 * addresses (an allow-listed 127.0.0.1 also allows ::ffff:127.0.0.1); every blocked
 * embedding must be exempt for the address to pass.
 */
export function classifyParsed(parsed: ParsedAddress, allowedV4: (v4: string) => boolean = () => false): BlockReason | null {
  if (parsed.family === 4) return classifyV4(parsed.address);
  const hextets = parsed.hextets ?? [];
  for (const [reason, list] of V6_TABLE) if (list.check(parsed.address, 'ipv6')) return reason;
  const embedded = embeddedIPv4(hextets);
  if (embedded.length > 0) {
    let exempted = false;
    for (const v4 of embedded) {
      const reason = classifyV4(v4);
      if (reason && !allowedV4(v4)) return reason;
      if (reason) exempted = true;
    }
    if (exempted) return null;
    // IPv4-mapped, NAT64 and 6to4 reach the embedded public address; IPv4-compatible and
    // IPv4-translated forms are deprecated and never a provider's address, so they stay blocked.
    const mapped = hextets.slice(0, 5).every((x) => x === 0) && hextets[5] === 0xffff;
    const first = hextets[0] ?? 0;
    return mapped || first === 0x64 || first === 0x2002 ? null : 'reserved';
  }
  return GLOBAL_UNICAST_V6.check(parsed.address, 'ipv6') ? null : 'reserved';
}

/** {@link classifyParsed} for a string; anything that is not an IP address is `invalid`. */
export function classifyAddress(address: string): BlockReason | null {
  const parsed = parseAddress(address);
  return parsed ? classifyParsed(parsed) : 'invalid';
}
