import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { conformanceChecks, createTestContext, sampleMessage } from '@postern/connector-kit/conformance';
import factory from './index.js';
import { mailgunBaseUrl, type MailgunConfig } from './schema.js';
import { startMailgunPeer } from '../../testing/peers/mailgun.js';
import { expectAbortInFlight, expectFailure, refusedUrl, signal } from '../_provider/expect.test-helpers.js';

type Peer = Awaited<ReturnType<typeof startMailgunPeer>>;
let peer: Peer;

beforeAll(async () => {
  peer = await startMailgunPeer({
    apiKey: 'key-right-0123456789abcdef',
    region: 'us',
    domains: { 'mg.example.test': 'us', 'eu.example.test': 'eu', 'sandbox.example.test': 'us' },
    templates: { 'mg.example.test': ['sign-in'] },
    authorizedRecipients: { 'sandbox.example.test': ['owner@example.test'] },
  });
});
afterAll(async () => {
  await peer.close();
});

const base = (over: Partial<MailgunConfig> = {}): MailgunConfig =>
  factory.configSchema.parse({
    apiKey: peer.apiKey,
    domain: 'mg.example.test',
    fromEmail: 'auth@mg.example.test',
    baseUrl: peer.url,
    ...over,
  });
const connector = (over: Partial<MailgunConfig> = {}) => factory.create(base(over), createTestContext());
const ok = { apiKey: 'k', domain: 'mg.example.com', fromEmail: 'a@mg.example.com' };

describe('mailgun conformance', () => {
  for (const c of conformanceChecks({
    factory,
    validConfig: () => base(),
    invalidConfigs: [
      {},
      { ...ok, apiKey: '' },
      { ...ok, domain: 'not a domain' },
      { ...ok, region: 'asia' },
      { ...ok, templates: { Nope: 'x' } },
      { ...ok, fromEmail: 'x' },
    ],
    received: () => peer.received,
    badCredentialsConfig: () => base({ apiKey: 'key-wrong-9876543210fedcba' }),
    rejectedRecipient: { to: 'not-an-address' },
  })) {
    it(c.name, c.run);
  }
});

describe('mailgun', () => {
  it('picks the API address from the region unless baseUrl is set', () => {
    expect(mailgunBaseUrl(factory.configSchema.parse(ok))).toBe('https://api.mailgun.net');
    expect(mailgunBaseUrl(factory.configSchema.parse({ ...ok, region: 'eu' }))).toBe('https://api.eu.mailgun.net');
    expect(mailgunBaseUrl(factory.configSchema.parse({ ...ok, region: 'eu', baseUrl: 'https://proxy.test' }))).toBe(
      'https://proxy.test',
    );
  });

  it('says that a wrong region looks like a wrong key', async () => {
    const err = await expectFailure(
      connector({ domain: 'eu.example.test' }).send(sampleMessage(), { signal: signal() }),
      'connector.auth_failed',
      [peer.apiKey],
    );
    expect(err.message).toMatch(/region/);
    expect(err.message).toMatch(/api\.eu\.mailgun\.net/);
    expect(err.details).toMatchObject({ providerStatus: 401, providerMessage: 'Forbidden' });
  });

  it('maps the sender, reply-to, body and headers, and returns the message id', async () => {
    const res = await connector({ fromName: 'Acme "Auth"', replyTo: 'help@example.test' }).send(
      sampleMessage({ to: 'bob@example.test', subject: 'mg-map', headers: { 'X-Entity-Ref': 'r1' } }),
      { signal: signal() },
    );
    const got = peer.received.at(-1)!;
    expect(got).toMatchObject({
      to: 'bob@example.test',
      subject: 'mg-map',
      from: '"Acme \\"Auth\\"" <auth@mg.example.test>',
      replyTo: 'help@example.test',
      text: 'Your code is 123456.',
    });
    expect(got.headers['X-Entity-Ref']).toBe('r1');
    expect(got.html).toContain('123456');
    expect(res.providerMessageId).toBe(got.id);
  });

  it('sends the stored template with the variables when one is configured', async () => {
    await connector({ templates: { SignIn: 'sign-in' } }).send(sampleMessage({ to: 'tpl@example.test' }), {
      signal: signal(),
    });
    const got = peer.received.at(-1)!;
    expect(got).toMatchObject({
      to: 'tpl@example.test',
      template: 'sign-in',
      variables: { code: '123456', expiresInMinutes: 10 },
    });
    expect(got.html).toBeUndefined();
  });

  it('maps an unknown template to connector.template_not_found', async () => {
    await expectFailure(
      connector({ templates: { SignIn: 'nope' } }).send(sampleMessage(), { signal: signal() }),
      'connector.template_not_found',
    );
  });

  it('maps a sandbox refusal of an unauthorized recipient to connector.rejected_recipient', async () => {
    await expectFailure(
      connector({ domain: 'sandbox.example.test' }).send(sampleMessage({ to: 'stranger@example.test' }), {
        signal: signal(),
      }),
      'connector.rejected_recipient',
    );
  });

  it('explains an unknown domain', async () => {
    const err = await expectFailure(
      connector({ domain: 'missing.example.test' }).send(sampleMessage(), { signal: signal() }),
      'connector.delivery_failed',
    );
    expect(err.message).toMatch(/missing\.example\.test/);
  });

  it('maps 429 to connector.rate_limited with Retry-After', async () => {
    peer.rateLimited = true;
    try {
      const err = await expectFailure(
        connector().send(sampleMessage(), { signal: signal() }),
        'connector.rate_limited',
      );
      expect(err.details.retryAfter).toBe(2);
    } finally {
      peer.rateLimited = false;
    }
  });

  it('maps 5xx and refused connections to a retryable connector.unavailable', async () => {
    peer.outage = true;
    try {
      const err = await expectFailure(connector().send(sampleMessage(), { signal: signal() }), 'connector.unavailable');
      expect(err.retryable).toBe(true);
    } finally {
      peer.outage = false;
    }
    await expectFailure(
      connector({ baseUrl: await refusedUrl() }).send(sampleMessage(), { signal: signal() }),
      'connector.unavailable',
    );
  });

  it('stops a send in flight with connector.timeout when the signal aborts', async () => {
    const c = connector();
    await expectAbortInFlight(peer, (s) => c.send(sampleMessage(), { signal: s }));
    await c.close?.();
  });
});
