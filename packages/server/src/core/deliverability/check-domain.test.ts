import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { checkDomain, createResolver, generateDkimKey, splitTxtValue, DeliverabilityInputError } from './index.js';
import type { DkimKeyMaterial, TxtResolver } from './index.js';
import { startDnsPeer, type DnsPeer, type TxtZone } from './dns-peer.test-helpers.js';

const spf = (v: string) => [[v]];
const dmarcReject = (d: string) => [[`v=DMARC1; p=reject; rua=mailto:dmarc@${d}`]];

let peer: DnsPeer;
let resolve: TxtResolver;
let key: DkimKeyMaterial;
let otherKey: DkimKeyMaterial;

beforeAll(async () => {
  key = await generateDkimKey('good.test', 's1');
  otherKey = await generateDkimKey('good.test', 's1');
  const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'der' });
  const zone: TxtZone = {
    'sendgrid.net': spf('v=spf1 ip4:192.0.2.0/24 -all'),
    'spf.mtasv.net': spf('v=spf1 ip4:198.51.100.0/24 -all'),
    'amazonses.com': spf('v=spf1 ip4:203.0.113.0/24 -all'),
    // all good, the generated key published as DNS splits it
    'good.test': [['google-site-verification=abc'], ['v=spf1 include:sendgrid.net -all']],
    's1._domainkey.good.test': [key.dnsStrings],
    '_dmarc.good.test': dmarcReject('good.test'),
    // DMARC missing
    'nodmarc.test': spf('v=spf1 include:sendgrid.net ~all'),
    // p=none
    'monitor.test': spf('v=spf1 include:sendgrid.net ~all'),
    '_dmarc.monitor.test': [['v=DMARC1; p=none; rua=mailto:d@monitor.test']],
    // 1024-bit key, quarantine without rua
    'weak.test': spf('v=spf1 include:sendgrid.net -all'),
    'k1._domainkey.weak.test': [splitTxtValue(`v=DKIM1; k=rsa; p=${weak.toString('base64')}`)],
    '_dmarc.weak.test': [['v=DMARC1; p=quarantine']],
    // two SPF records
    'twospf.test': [['v=spf1 include:sendgrid.net -all'], ['v=spf1 ip4:192.0.2.1 -all']],
    // 12 lookups through nested includes: 2 at the top, 5 in a (sendgrid.net adds none), 1 in b, 4 in c
    'deep.test': spf('v=spf1 include:a.deep.test include:b.deep.test -all'),
    'a.deep.test': spf('v=spf1 a mx include:sendgrid.net exists:%{i}.x.deep.test ptr ~all'),
    'b.deep.test': spf('v=spf1 include:c.deep.test ~all'),
    'c.deep.test': spf('v=spf1 a mx a:one.deep.test mx:two.deep.test -all'),
    // wrong provider include, plus a mismatching DKIM key
    'other.test': spf('v=spf1 include:sendgrid.net -all'),
    's1._domainkey.other.test': [otherKey.dnsStrings],
    '_dmarc.other.test': dmarcReject('other.test'),
    // subdomain without its own DMARC record
    'auth.parent.test': spf('v=spf1 include:sendgrid.net -all'),
    '_dmarc.parent.test': [['v=DMARC1; p=none; sp=reject; rua=mailto:d@parent.test']],
    // assorted mistakes
    'open.test': spf('v=spf1 include:sendgrid.net +all'),
    'typo.test': spf('v=spf1 inclde:sendgrid.net ip4:300.1.2.3 -all'),
    'neutral.test': spf('v=spf1 include:sendgrid.net'),
    'dangling.test': spf('v=spf1 include:nothing-here.test -all'),
    'revoked._domainkey.dangling.test': [['v=DKIM1; k=rsa; p=']],
    '_dmarc.dangling.test': [['v=DMARC1; p=reject; pct=20; rua=mailto:d@dangling.test']],
    'loop.test': spf('v=spf1 include:loop2.loop.test -all'),
    'loop2.loop.test': spf('v=spf1 include:loop.test -all'),
    'broken.test': spf('v=spf1 -all'),
    '_dmarc.broken.test': [['v=DMARC1; p=maybe']],
    // Resend publishes SPF on send.<domain>
    'send.resend.test': spf('v=spf1 include:amazonses.com ~all'),
    'resend.test': spf('v=spf1 -all'),
  };
  peer = await startDnsPeer(zone);
  resolve = createResolver([peer.address]);
});

afterAll(async () => {
  await peer.close();
});

describe('checkDomain against a loopback DNS server', () => {
  it('passes a domain with one SPF record, the provider include, the stored DKIM key and p=reject', async () => {
    const r = await checkDomain({
      domain: 'good.test',
      dkimSelector: 's1',
      providerId: 'sendgrid',
      expectedDkimPublicKeyPem: key.publicKeyPem,
      resolve,
    });
    expect(r.spf).toEqual({ status: 'pass', record: 'v=spf1 include:sendgrid.net -all', issues: [] });
    expect(r.dkim).toEqual({ status: 'pass', record: key.dnsValue, issues: [] });
    expect(r.dmarc).toEqual({ status: 'pass', record: 'v=DMARC1; p=reject; rua=mailto:dmarc@good.test', issues: [] });
    expect(r.advice).toHaveLength(1);
    expect(r.advice[0]).toContain('auth.good.test');
    expect(r.advice[0]).toContain('marketing');
    expect(peer.queries).toContain('sendgrid.net');
  });

  it('reads the generated key from TXT strings of at most 255 characters', async () => {
    expect(key.dnsStrings.length).toBeGreaterThan(1);
    const rows = await resolve('s1._domainkey.good.test');
    expect(rows).toEqual([key.dnsStrings]);
    expect(rows[0]!.every((s) => s.length <= 255)).toBe(true);
  });

  it('reports a missing DMARC record with the record to publish', async () => {
    const r = await checkDomain({ domain: 'nodmarc.test', resolve });
    expect(r.dmarc.status).toBe('missing');
    expect(r.dmarc.record).toBeNull();
    expect(r.advice).toContain(
      'DMARC: publish a TXT record at _dmarc.nodmarc.test: "v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@nodmarc.test".',
    );
  });

  it('warns about p=none', async () => {
    const r = await checkDomain({ domain: 'monitor.test', resolve });
    expect(r.dmarc.status).toBe('warn');
    expect(r.dmarc.issues.join(' ')).toContain('p=none');
  });

  it('warns about a 1024-bit key and a DMARC record without rua', async () => {
    const r = await checkDomain({ domain: 'weak.test', dkimSelector: 'k1', resolve });
    expect(r.dkim.status).toBe('warn');
    expect(r.dkim.issues[0]).toContain('1024 bits');
    expect(r.dmarc.status).toBe('warn');
    expect(r.dmarc.issues.join(' ')).toContain('rua=');
  });

  it('fails two SPF records and asks for exactly one', async () => {
    const r = await checkDomain({ domain: 'twospf.test', resolve });
    expect(r.spf.status).toBe('fail');
    expect(r.spf.issues[0]).toContain('Publish exactly one');
    expect(r.spf.record?.split('\n')).toHaveLength(2);
  });

  it('counts DNS lookups through nested includes and fails above 10', async () => {
    const r = await checkDomain({ domain: 'deep.test', providerId: 'sendgrid', resolve });
    expect(r.spf.status).toBe('fail');
    const issue = r.spf.issues.find((i) => i.includes('DNS lookups'));
    expect(issue).toContain('needs 12 DNS lookups');
    // the provider include is found inside a nested include
    expect(r.spf.issues.join(' ')).not.toContain('does not authorize');
    // ptr is counted and also called out where it is used
    expect(r.spf.issues.join(' ')).toContain('ptr mechanism (used in the record of a.deep.test) is deprecated');
    expect(r.spf.status).toBe('fail');
  });

  it('fails when the active provider include is missing, naming the include to add', async () => {
    const r = await checkDomain({ domain: 'other.test', providerId: 'postmark', resolve });
    expect(r.spf.status).toBe('fail');
    expect(r.spf.issues).toContain(
      'The record does not authorize Postmark: add include:spf.mtasv.net before the all mechanism.',
    );
    expect(r.advice).toContain(
      'SPF: publish one TXT record at other.test: "v=spf1 include:sendgrid.net include:spf.mtasv.net -all".',
    );
  });

  it('fails a published DKIM key that is not the stored one, and advises the right record', async () => {
    const r = await checkDomain({
      domain: 'other.test',
      dkimSelector: 's1',
      expectedDkimPublicKeyPem: key.publicKeyPem,
      resolve,
    });
    expect(r.dkim.status).toBe('fail');
    expect(r.dkim.issues[0]).toContain('The published key is not the one Postern signs with');
    expect(r.advice).toContain(`DKIM: publish a TXT record at s1._domainkey.other.test: "${key.dnsValue}".`);
  });

  it('skips the provider include for connectors with no known include, with a note', async () => {
    const r = await checkDomain({ domain: 'good.test', providerId: 'smtp', resolve });
    expect(r.spf.status).toBe('pass');
    expect(r.spf.issues[0]).toMatch(/^Note: .*SMTP server/);
  });

  it('falls back to the parent domain DMARC record for a subdomain and applies its sp=', async () => {
    const r = await checkDomain({ domain: 'auth.parent.test', resolve });
    expect(r.dmarc.status).toBe('pass');
    expect(r.dmarc.record).toContain('sp=reject');
    expect(r.dmarc.issues[0]).toContain('_dmarc.parent.test');
  });

  it('checks Resend on its send. subdomain', async () => {
    const r = await checkDomain({ domain: 'resend.test', providerId: 'resend', resolve });
    expect(r.spf.status).toBe('pass');
    expect(r.spf.record).toBe('v=spf1 include:amazonses.com ~all');
    expect(r.spf.issues[0]).toContain('send.resend.test');
  });

  it('reports a missing SPF record, DKIM record and selector', async () => {
    const r = await checkDomain({ domain: 'nowhere.test', dkimSelector: 'abc', providerId: 'postmark', resolve });
    expect(r.spf.status).toBe('missing');
    expect(r.advice).toContain('SPF: publish one TXT record at nowhere.test: "v=spf1 include:spf.mtasv.net ~all".');
    expect(r.dkim.status).toBe('missing');
    expect(r.dkim.issues[0]).toContain('abc._domainkey.nowhere.test');
    const noSelector = await checkDomain({ domain: 'good.test', providerId: 'sendgrid', resolve });
    expect(noSelector.dkim.status).toBe('missing');
    expect(noSelector.dkim.issues[0]).toContain('s1 and s2');
  });

  it.each([
    ['open.test', '+all'],
    ['typo.test', '"inclde:sendgrid.net" is not an SPF mechanism'],
    ['typo.test', '300.1.2.3 is not an IPv4 address'],
    ['dangling.test', 'nothing-here.test, which has no SPF record'],
    ['loop.test', 'include:loop.test loops back'],
  ])('fails the SPF record of %s (%s)', async (domain, text) => {
    const r = await checkDomain({ domain, resolve });
    expect(r.spf.status).toBe('fail');
    expect(r.spf.issues.join(' ')).toContain(text);
  });

  it('gives placeholder-free SPF advice when no provider include is known', async () => {
    const r = await checkDomain({ domain: 'nowhere.test', resolve });
    expect(r.spf.status).toBe('missing');
    expect(r.advice.find((a) => a.startsWith('SPF:'))).toContain('lists the servers that send your mail');
  });

  it('warns about an SPF record without all', async () => {
    const r = await checkDomain({ domain: 'neutral.test', providerId: 'sendgrid', resolve });
    expect(r.spf.status).toBe('warn');
    expect(r.spf.issues[0]).toContain('no all mechanism');
  });

  it('fails a revoked DKIM key, warns about pct below 100 and fails a malformed DMARC policy', async () => {
    const r = await checkDomain({ domain: 'dangling.test', dkimSelector: 'revoked', resolve });
    expect(r.dkim.status).toBe('fail');
    expect(r.dkim.issues[0]).toContain('revoked');
    expect(r.dmarc.status).toBe('warn');
    expect(r.dmarc.issues[0]).toContain('pct=20');
    const broken = await checkDomain({ domain: 'broken.test', resolve });
    expect(broken.dmarc.status).toBe('fail');
    expect(broken.dmarc.issues[0]).toContain('p=maybe');
  });

  it('reports an unreachable DNS server in the results instead of throwing', async () => {
    // Port 1 on loopback: nothing listens there, and unlike the port of a peer just closed, no
    // test running in parallel can be given it as an ephemeral port (a reused port once
    // answered NXDOMAIN here).
    const r = await checkDomain({ domain: 'good.test', dkimSelector: 's1', resolve: createResolver(['127.0.0.1:1']) });
    for (const check of [r.spf, r.dkim, r.dmarc]) {
      expect(check.status).toBe('fail');
      expect(check.issues[0]).toMatch(/DNS lookup of .* failed \(E[A-Z]+\)/);
    }
  });

  it('refuses a malformed DNS server address', () => {
    expect(() => createResolver(['not an address'])).toThrow(DeliverabilityInputError);
  });

  it('refuses a malformed domain or selector', async () => {
    await expect(checkDomain({ domain: 'no spaces', resolve })).rejects.toBeInstanceOf(DeliverabilityInputError);
    await expect(checkDomain({ domain: 'good.test', dkimSelector: 'a.b', resolve })).rejects.toMatchObject({
      field: 'dkimSelector',
    });
  });
});
