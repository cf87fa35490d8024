import { describe, it, expect } from 'vitest';
import { isSpfRecord, parseSpf } from './spf-parse.js';

describe('parseSpf', () => {
  it.each([
    'v=spf1 -all',
    'v=spf1 a mx -all',
    'v=spf1 a/24 mx:mail.example.com/24//64 ip4:192.0.2.0/24 ip6:2001:db8::/32 ~all',
    'v=spf1 include:_spf.example.com exists:%{i}.%{d}._spf.example.com ?all',
    'v=spf1 redirect=_spf.example.com',
    'v=spf1 ip4:192.0.2.1 -all exp=explain.example.com custom.mod=anything',
    'V=SPF1 INCLUDE:SENDGRID.NET -ALL',
  ])('accepts %s', (record) => {
    expect(isSpfRecord(record)).toBe(true);
    expect(parseSpf(record).errors).toEqual([]);
  });

  it.each([
    ['v=spf1 ip4:192.0.2.0/33 -all', 'malformed prefix length'],
    ['v=spf1 ip6:192.0.2.1 -all', 'is not an IPv6 address'],
    ['v=spf1 include: -all', 'include needs a domain'],
    ['v=spf1 a:bad_domain..x -all', 'does not name a valid domain'],
    ['v=spf1 all:x', 'all takes no argument'],
    ['v=spf1 redirect=a.example redirect=b.example', 'redirect= appears more than once'],
    ['v=spf1 mx/99 -all', 'not an IPv4 prefix length'],
    ['v=spf1 exists:%{z}.example -all', 'exists needs a domain'],
  ])('reports %s', (record, error) => {
    expect(parseSpf(record).errors.join(' ')).toContain(error);
  });

  it('tells SPF records from other TXT records', () => {
    expect(isSpfRecord('v=spf10 -all')).toBe(false);
    expect(isSpfRecord('google-site-verification=abc')).toBe(false);
    expect(isSpfRecord('v=spf1')).toBe(true);
  });

  it('reads qualifiers and targets', () => {
    const { terms } = parseSpf('v=spf1 ~include:a.example -a:b.example/24 ?all');
    expect(terms.map((t) => (t.kind === 'mechanism' ? [t.qualifier, t.name, t.domain] : []))).toEqual([
      ['~', 'include', 'a.example'],
      ['-', 'a', 'b.example'],
      ['?', 'all', undefined],
    ]);
  });
});
