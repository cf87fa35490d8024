import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { ConnectorError } from '@postern/connector-kit';
import { conformanceChecks, createTestContext, sampleMessage } from '@postern/connector-kit/conformance';
import { createOutboundPolicy } from '../../outbound/index.js';
import factory from './index.js';
import { sendgridBaseUrl, type SendgridConfig } from './schema.js';
import { startSendgridPeer } from '../../testing/peers/sendgrid.js';
import { expectAbortInFlight, expectFailure, refusedUrl, signal } from '../_provider/expect.test-helpers.js';

type Peer = Awaited<ReturnType<typeof startSendgridPeer>>;
let peer: Peer;

beforeAll(async () => {
  peer = await startSendgridPeer({
    apiKey: 'SG.right-key.0123456789',
    verifiedSenders: ['auth@example.test', 'other@example.test'],
    templates: ['d-signin'],
    maxBytes: 64 * 1024,
  });
});
afterAll(async () => {
  await peer.close();
});

const base = (over: Partial<SendgridConfig> = {}): SendgridConfig =>
  factory.configSchema.parse({ apiKey: peer.apiKey, fromEmail: 'auth@example.test', baseUrl: peer.url, ...over });
const connector = (over: Partial<SendgridConfig> = {}) => factory.create(base(over), createTestContext());

const ok = { apiKey: 'SG.k', fromEmail: 'a@example.test' };

describe('sendgrid conformance', () => {
  for (const c of conformanceChecks({
    factory,
    validConfig: () => base(),
    invalidConfigs: [
      {},
      { ...ok, apiKey: '' },
      { ...ok, fromEmail: 'nope' },
      { ...ok, region: 'mars' },
      { ...ok, templateIds: { Bogus: 'd-1' } },
      { ...ok, baseUrl: 'ftp://x' },
    ],
    received: () => peer.received,
    badCredentialsConfig: () => base({ apiKey: 'SG.wrong-key.9876543210' }),
    rejectedRecipient: { to: 'not-an-address' },
  })) {
    it(c.name, c.run);
  }
});

describe('sendgrid', () => {
  it('picks the API address from the region unless baseUrl is set', () => {
    const parse = (c: object) => factory.configSchema.parse({ apiKey: 'k', fromEmail: 'a@example.test', ...c });
    expect(sendgridBaseUrl(parse({}))).toBe('https://api.sendgrid.com');
    expect(sendgridBaseUrl(parse({ region: 'eu' }))).toBe('https://api.eu.sendgrid.com');
    expect(sendgridBaseUrl(parse({ region: 'eu', baseUrl: 'http://proxy.test' }))).toBe('http://proxy.test');
  });

  it('maps the sender, reply-to, body parts and headers, and returns X-Message-Id', async () => {
    const res = await connector({ fromName: 'Acme', replyTo: 'help@example.test' }).send(
      sampleMessage({ to: 'bob@example.test', subject: 'map-1', headers: { 'X-Entity-Ref': 'r1' } }),
      { signal: signal() },
    );
    const got = peer.received.at(-1)!;
    expect(got).toMatchObject({
      to: 'bob@example.test',
      subject: 'map-1',
      from: { email: 'auth@example.test', name: 'Acme' },
      replyTo: 'help@example.test',
      text: 'Your code is 123456.',
      headers: { 'X-Entity-Ref': 'r1' },
    });
    expect(got.html).toContain('<strong>123456</strong>');
    expect(got.authorization).toBe(`Bearer ${peer.apiKey}`);
    expect(res.providerMessageId).toBe(got.messageId);
  });

  it("lets the message's sender and reply-to override the config", async () => {
    await connector({ fromName: 'Acme', replyTo: 'help@example.test' }).send(
      sampleMessage({
        subject: 'map-2',
        from: { email: 'other@example.test', name: 'Other' },
        replyTo: 'r@example.test',
      }),
      { signal: signal() },
    );
    expect(peer.received.at(-1)).toMatchObject({
      subject: 'map-2',
      from: { email: 'other@example.test', name: 'Other' },
      replyTo: 'r@example.test',
    });
  });

  it('sends the dynamic template with the variables when one is configured for the type', async () => {
    await connector({ templateIds: { SignIn: 'd-signin' } }).send(
      sampleMessage({ to: 'tpl@example.test', templateType: 'SignIn' }),
      { signal: signal() },
    );
    const got = peer.received.at(-1)!;
    expect(got).toMatchObject({
      to: 'tpl@example.test',
      templateId: 'd-signin',
      templateData: { code: '123456', expiresInMinutes: 10 },
    });
    expect(got.html).toBeUndefined();
    // Types without a template id still send the rendered body.
    await connector({ templateIds: { SignIn: 'd-signin' } }).send(
      sampleMessage({ subject: 'plain-reg', templateType: 'Register' }),
      { signal: signal() },
    );
    expect(peer.received.at(-1)).toMatchObject({ subject: 'plain-reg', html: expect.stringContaining('123456') });
  });

  it('maps an unknown template id to connector.template_not_found', async () => {
    await expectFailure(
      connector({ templateIds: { SignIn: 'd-missing' } }).send(sampleMessage(), { signal: signal() }),
      'connector.template_not_found',
    );
  });

  it('explains an unverified sender as connector.delivery_failed', async () => {
    const err = await expectFailure(
      connector({ fromEmail: 'stranger@example.test' }).send(sampleMessage(), { signal: signal() }),
      'connector.delivery_failed',
    );
    expect(err.message).toMatch(/Sender Identity/);
    expect(err.details).toMatchObject({
      providerStatus: 403,
      providerMessage: expect.stringContaining('verified Sender Identity'),
    });
  });

  it('maps 413 to connector.delivery_failed', async () => {
    const err = await expectFailure(
      connector().send(sampleMessage({ html: 'x'.repeat(70 * 1024) }), { signal: signal() }),
      'connector.delivery_failed',
    );
    expect(err.details.providerStatus).toBe(413);
    expect(err.message).toMatch(/too large/);
  });

  it('maps 429 to connector.rate_limited with retryAfter from X-RateLimit-Reset', async () => {
    peer.rateLimited = true;
    try {
      const err = await expectFailure(
        connector().send(sampleMessage(), { signal: signal() }),
        'connector.rate_limited',
      );
      expect(err.retryable).toBe(true);
      expect(err.details.retryAfter).toBeGreaterThanOrEqual(0);
      expect(err.details.retryAfter).toBeLessThanOrEqual(3);
    } finally {
      peer.rateLimited = false;
    }
  });

  it('maps a 5xx answer to a retryable connector.unavailable', async () => {
    peer.outage = true;
    try {
      const err = await expectFailure(connector().send(sampleMessage(), { signal: signal() }), 'connector.unavailable');
      expect(err.retryable).toBe(true);
      expect(err.details.providerStatus).toBe(500);
    } finally {
      peer.outage = false;
    }
  });

  it('maps a refused connection to a retryable connector.unavailable', async () => {
    const err = await expectFailure(
      connector({ baseUrl: await refusedUrl() }).send(sampleMessage(), { signal: signal() }),
      'connector.unavailable',
    );
    expect(err.retryable).toBe(true);
  });

  it('keeps the provider answer as cause and shows no key in a failure', async () => {
    const key = 'SG.wrong-key.secret-value-1';
    const err = await expectFailure(
      connector({ apiKey: key }).send(sampleMessage(), { signal: signal() }),
      'connector.auth_failed',
      [key],
    );
    expect(err.details).toMatchObject({
      providerStatus: 401,
      providerMessage: expect.stringMatching(/authorization grant/),
    });
    expect((err.cause as { status?: number }).status).toBe(401);
  });

  it('stops a send in flight with connector.timeout when the signal aborts', async () => {
    const c = connector();
    await expectAbortInFlight(peer, (s) => c.send(sampleMessage(), { signal: s }));
    await c.close?.();
  });

  it("passes on the destination policy's refusal from ctx.fetch, bare or wrapped by fetch", async () => {
    const blocked = () => new ConnectorError('connector.destination_blocked');
    for (const fetchImpl of [
      async () => Promise.reject(blocked()),
      async () => Promise.reject(new TypeError('fetch failed', { cause: blocked() })),
    ]) {
      const c = factory.create(base(), createTestContext({ fetch: fetchImpl as typeof fetch }));
      await expectFailure(c.send(sampleMessage(), { signal: signal() }), 'connector.destination_blocked');
    }
  });

  it('works through the real outbound policy: blocked on a loopback address, sent when allow-listed', async () => {
    const port = new URL(peer.url).port;
    const resolve = async () => [{ address: '127.0.0.1', family: 4 as const }];
    const blockedPolicy = createOutboundPolicy({ resolve });
    const allowedPolicy = createOutboundPolicy({ resolve, allow: ['127.0.0.1/32'] });
    try {
      const ctx = (p: typeof blockedPolicy) =>
        createTestContext({ fetch: p.fetch, lookup: p.lookup, assertDestination: p.assertDestination });
      const config = base({ baseUrl: `http://api.sendgrid.peer.test:${port}` });
      await expectFailure(
        factory.create(config, ctx(blockedPolicy)).send(sampleMessage(), { signal: signal() }),
        'connector.destination_blocked',
      );
      await factory
        .create(config, ctx(allowedPolicy))
        .send(sampleMessage({ subject: 'sg-policy' }), { signal: signal() });
      expect(peer.received.at(-1)!.subject).toBe('sg-policy');
    } finally {
      await blockedPolicy.close();
      await allowedPolicy.close();
    }
  });
});
