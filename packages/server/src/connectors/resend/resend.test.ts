import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { conformanceChecks, createTestContext, sampleMessage } from '@postern/connector-kit/conformance';
import factory from './index.js';
import type { ResendConfig } from './schema.js';
import { startResendPeer } from '../../testing/peers/resend.js';
import { expectAbortInFlight, expectFailure, refusedUrl, signal } from '../_provider/expect.test-helpers.js';

type Peer = Awaited<ReturnType<typeof startResendPeer>>;
let peer: Peer;

beforeAll(async () => {
  peer = await startResendPeer({ apiKey: 're_right_0123456789', verifiedDomains: ['example.test'] });
});
afterAll(async () => {
  await peer.close();
});

const base = (over: Partial<ResendConfig> = {}): ResendConfig =>
  factory.configSchema.parse({ apiKey: peer.apiKey, fromEmail: 'auth@example.test', baseUrl: peer.url, ...over });
const connector = (over: Partial<ResendConfig> = {}) => factory.create(base(over), createTestContext());
const ok = { apiKey: 're_x', fromEmail: 'a@example.com' };

describe('resend conformance', () => {
  for (const c of conformanceChecks({
    factory,
    validConfig: () => base(),
    invalidConfigs: [
      {},
      { ...ok, apiKey: '' },
      { ...ok, fromEmail: 'x' },
      { ...ok, templateIds: {} },
      { ...ok, baseUrl: 'nope' },
    ],
    received: () => peer.received,
    badCredentialsConfig: () => base({ apiKey: 're_wrong_9876543210' }),
    rejectedRecipient: { to: 'not-an-address' },
  })) {
    it(c.name, c.run);
  }
});

describe('resend', () => {
  it('maps the sender, reply-to, body and headers, and returns the id', async () => {
    const res = await connector({ fromName: 'Acme', replyTo: 'help@example.test' }).send(
      sampleMessage({ to: 'bob@example.test', subject: 'rs-map', headers: { 'X-Entity-Ref': 'r1' } }),
      { signal: signal() },
    );
    const got = peer.received.at(-1)!;
    expect(got).toMatchObject({
      to: 'bob@example.test',
      subject: 'rs-map',
      from: '"Acme" <auth@example.test>',
      replyTo: 'help@example.test',
      text: 'Your code is 123456.',
      headers: { 'X-Entity-Ref': 'r1' },
    });
    expect(res.providerMessageId).toBe(got.id);
  });

  it('sends the delivery id as Idempotency-Key, so a retried delivery is one email', async () => {
    const message = sampleMessage({ subject: 'rs-idem' });
    const c = connector();
    const first = await c.send(message, { signal: signal() });
    const second = await c.send(message, { signal: signal() });
    expect(second.providerMessageId).toBe(first.providerMessageId);
    expect(peer.received.filter((m) => m.subject === 'rs-idem')).toHaveLength(1);
    expect(peer.received.at(-1)!.idempotencyKey).toBe(message.id);
  });

  it('maps an unverified domain (403 validation_error) to connector.delivery_failed, not auth', async () => {
    const err = await expectFailure(
      connector({ fromEmail: 'a@unverified.test' }).send(sampleMessage(), { signal: signal() }),
      'connector.delivery_failed',
    );
    expect(err.message).toMatch(/verify the domain/);
    expect(err.details).toMatchObject({ providerStatus: 403, providerErrorName: 'validation_error' });
  });

  it('maps a missing key (401) to connector.auth_failed', async () => {
    const c = factory.create(
      base(),
      createTestContext({
        fetch: (url, init) => fetch(url, { ...init, headers: { 'content-type': 'application/json' } }),
      }),
    );
    const err = await expectFailure(c.send(sampleMessage(), { signal: signal() }), 'connector.auth_failed');
    expect(err.details.providerStatus).toBe(401);
  });

  it('maps 429 to connector.rate_limited with Retry-After, 5xx and refused connections to connector.unavailable', async () => {
    peer.rateLimited = true;
    try {
      const err = await expectFailure(
        connector().send(sampleMessage(), { signal: signal() }),
        'connector.rate_limited',
      );
      expect(err.details.retryAfter).toBe(1);
    } finally {
      peer.rateLimited = false;
    }
    peer.outage = true;
    try {
      expect(
        (await expectFailure(connector().send(sampleMessage(), { signal: signal() }), 'connector.unavailable'))
          .retryable,
      ).toBe(true);
    } finally {
      peer.outage = false;
    }
    await expectFailure(
      connector({ baseUrl: await refusedUrl() }).send(sampleMessage(), { signal: signal() }),
      'connector.unavailable',
    );
  });

  it('shows no key in an auth failure', async () => {
    const key = 're_secret_abcdef123456';
    await expectFailure(
      connector({ apiKey: key }).send(sampleMessage(), { signal: signal() }),
      'connector.auth_failed',
      [key],
    );
  });

  it('stops a send in flight with connector.timeout when the signal aborts', async () => {
    const c = connector();
    await expectAbortInFlight(peer, (s) => c.send(sampleMessage(), { signal: s }));
    await c.close?.();
  });
});
