import { describe, it, expect, afterAll } from 'vitest';
import { classifyAddress, createOutboundPolicy, parseAllowList } from './index.js';

const blocked: Array<[string, string]> = [
  ['127.0.0.1', 'loopback'],
  ['127.255.0.9', 'loopback'],
  ['::1', 'loopback'],
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['[::ffff:7f00:1]', 'loopback'],
  ['0:0:0:0:0:ffff:7f00:0001', 'loopback'],
  ['169.254.169.254', 'metadata'],
  ['64:ff9b::a9fe:a9fe', 'metadata'],
  ['64:ff9b::169.254.169.254', 'metadata'],
  ['64:ff9b::7f00:1', 'loopback'],
  ['64:ff9b:1::7f00:1', 'loopback'],
  ['64:ff9b:1:7f00:0:100::', 'loopback'], // RFC 6052 /48 layout of 127.0.0.1
  ['2002:7f00:1::1', 'loopback'], // 6to4 of 127.0.0.1
  ['2002:a00:1::', 'private'],
  ['::127.0.0.1', 'loopback'], // IPv4-compatible
  ['::8.8.8.8', 'reserved'], // IPv4-compatible, deprecated even for a public address
  ['::ffff:0:10.0.0.1', 'private'], // IPv4-translated
  ['100.64.0.1', 'cgnat'],
  ['100.127.255.255', 'cgnat'],
  ['100.100.100.200', 'metadata'],
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['::', 'unspecified'],
  ['10.0.0.1', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.168.1.1', 'private'],
  ['::ffff:192.168.1.1', 'private'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['169.254.1.1', 'link-local'],
  ['fc00::1', 'private'],
  ['fd12:3456::1', 'private'],
  ['ff02::1', 'multicast'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['255.255.255.255', 'reserved'],
  ['240.0.0.1', 'reserved'],
  ['fd00:ec2::254', 'metadata'],
  ['192.0.0.8', 'reserved'],
  ['192.0.2.1', 'reserved'],
  ['198.51.100.7', 'reserved'],
  ['203.0.113.9', 'reserved'],
  ['198.18.0.1', 'reserved'],
  ['198.19.255.255', 'reserved'],
  ['2001:db8::1', 'reserved'],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'reserved'], // Teredo
  ['100::1', 'reserved'], // discard-only, outside 2000::/3
  ['not-an-ip', 'invalid'],
];

const allowed = ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '93.184.216.34', '::ffff:8.8.8.8', '64:ff9b::808:808', '64:ff9b:1::808:808', '2002:808:808::1', '172.32.0.1', '100.128.0.1', '11.0.0.1'];

describe('classifyAddress', () => {
  it.each(blocked)('blocks %s as %s', (address, reason) => {
    expect(classifyAddress(address)).toBe(reason);
  });

  it.each(allowed)('allows %s', (address) => {
    expect(classifyAddress(address)).toBeNull();
  });

  it('classifies URL IP literals by what they connect to (the WHATWG parser normalises them)', () => {
    const hosts = ['http://[::1]/', 'http://2130706433/', 'http://0x7f.1/', 'http://127.1/', 'http://017700000001/', 'https://[::ffff:127.0.0.1]/', 'http://0x7f000001/'].map(
      (u) => new URL(u).hostname,
    );
    for (const host of hosts) expect([host, classifyAddress(host)]).toEqual([host, 'loopback']);
    expect(classifyAddress(new URL('http://0xa9.254.169.254/').hostname)).toBe('metadata');
  });
});

describe('the allow list', () => {
  const policy = createOutboundPolicy({
    allow: parseAllowList(' 127.0.0.1/32, 10.1.0.0/16 ,fd00:1234::/32,192.168.7.7,, mail.internal'),
  });
  afterAll(() => policy.close());

  it('parses a comma list, dropping blanks', () => {
    expect(parseAllowList(' 127.0.0.1/32, 10.1.0.0/16 ,,mail.internal ')).toEqual(['127.0.0.1/32', '10.1.0.0/16', 'mail.internal']);
    expect(parseAllowList(undefined)).toEqual([]);
    expect(parseAllowList('')).toEqual([]);
  });

  it('allows addresses in a listed CIDR and nothing next to it', () => {
    expect(policy.classify('127.0.0.1')).toBeNull();
    expect(policy.classify('127.0.0.2')).toBe('loopback');
    expect(policy.classify('10.1.200.3')).toBeNull();
    expect(policy.classify('10.2.0.1')).toBe('private');
    expect(policy.classify('fd00:1234:5::1')).toBeNull();
    expect(policy.classify('fd00:1235::1')).toBe('private');
  });

  it('allows a single listed IP, also in its IPv4-mapped and NAT64 forms', () => {
    expect(policy.classify('192.168.7.7')).toBeNull();
    expect(policy.classify('192.168.7.8')).toBe('private');
    expect(policy.classify('::ffff:127.0.0.1')).toBeNull();
    expect(policy.classify('64:ff9b::c0a8:707')).toBeNull();
    expect(policy.classify('::1')).toBe('loopback');
  });

  it('still classifies unlisted addresses', () => {
    expect(policy.classify('169.254.169.254')).toBe('metadata');
    expect(policy.classify('8.8.8.8')).toBeNull();
  });

  it('refuses malformed entries when the policy is built', () => {
    expect(() => createOutboundPolicy({ allow: ['10.0.0.0/33'] })).toThrow(/10\.0\.0\.0\/33/);
    expect(() => createOutboundPolicy({ allow: ['nonsense/8'] })).toThrow(/not a valid CIDR/);
    expect(() => createOutboundPolicy({ allow: ['bad host!'] })).toThrow(/not a valid host name/);
  });
});
