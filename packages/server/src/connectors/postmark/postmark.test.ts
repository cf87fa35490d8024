import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { conformanceChecks, createTestContext, sampleMessage } from '@postern/connector-kit/conformance';
import factory from './index.js';
import type { PostmarkConfig } from './schema.js';
import { startPostmarkPeer } from '../../testing/peers/postmark.js';
import { expectAbortInFlight, expectFailure, refusedUrl, signal } from '../_provider/expect.test-helpers.js';

type Peer = Awaited<ReturnType<typeof startPostmarkPeer>>;
let peer: Peer;

beforeAll(async () => {
  peer = await startPostmarkPeer({
    serverToken: 'pm-right-token-0123456789',
    senderSignatures: ['@example.test'],
    inactiveRecipients: ['bounced@example.test'],
    templateAliases: ['sign-in'],
    messageStreams: ['outbound', 'auth'],
  });
});
afterAll(async () => {
  await peer.close();
});

const base = (over: Partial<PostmarkConfig> = {}): PostmarkConfig =>
  factory.configSchema.parse({
    serverToken: peer.serverToken,
    fromEmail: 'auth@example.test',
    baseUrl: peer.url,
    ...over,
  });
const connector = (over: Partial<PostmarkConfig> = {}) => factory.create(base(over), createTestContext());
const ok = { serverToken: 't', fromEmail: 'a@example.com' };

describe('postmark conformance', () => {
  for (const c of conformanceChecks({
    factory,
    validConfig: () => base(),
    invalidConfigs: [
      {},
      { ...ok, serverToken: '' },
      { ...ok, messageStream: '' },
      { ...ok, templateAliases: { Nope: 'x' } },
      { ...ok, replyTo: 'x' },
    ],
    received: () => peer.received,
    badCredentialsConfig: () => base({ serverToken: 'pm-wrong-token-9876543210' }),
    rejectedRecipient: { to: 'bounced@example.test' },
  })) {
    it(c.name, c.run);
  }
});

describe('postmark', () => {
  it('defaults to the real API and the outbound stream', () => {
    const c = factory.configSchema.parse(ok);
    expect(c.messageStream).toBe('outbound');
    expect(c.baseUrl).toBeUndefined();
  });

  it('maps the sender, reply-to, stream, tag, body and headers, and returns MessageID', async () => {
    const res = await connector({ fromName: 'Acme', replyTo: 'help@example.test', messageStream: 'auth' }).send(
      sampleMessage({ to: 'bob@example.test', subject: 'pm-map', headers: { 'X-Entity-Ref': 'r1' } }),
      { signal: signal() },
    );
    const got = peer.received.at(-1)!;
    expect(got).toMatchObject({
      to: 'bob@example.test',
      subject: 'pm-map',
      from: '"Acme" <auth@example.test>',
      replyTo: 'help@example.test',
      messageStream: 'auth',
      tag: 'SignIn',
      textBody: 'Your code is 123456.',
      headers: [{ Name: 'X-Entity-Ref', Value: 'r1' }],
    });
    expect(res.providerMessageId).toBe(got.messageId);
  });

  it('sends the template alias with the variables as TemplateModel when configured', async () => {
    await connector({ templateAliases: { SignIn: 'sign-in' } }).send(sampleMessage({ to: 'tpl@example.test' }), {
      signal: signal(),
    });
    const got = peer.received.at(-1)!;
    expect(got).toMatchObject({ to: 'tpl@example.test', templateAlias: 'sign-in', templateModel: { code: '123456' } });
    expect(got.htmlBody).toBeUndefined();
  });

  it('maps ErrorCode 1101 to connector.template_not_found', async () => {
    await expectFailure(
      connector({ templateAliases: { SignIn: 'missing' } }).send(sampleMessage(), { signal: signal() }),
      'connector.template_not_found',
    );
  });

  it('maps ErrorCode 400 (no sender signature) to connector.delivery_failed with a clear message', async () => {
    const err = await expectFailure(
      connector({ fromEmail: 'auth@elsewhere.test' }).send(sampleMessage(), { signal: signal() }),
      'connector.delivery_failed',
    );
    expect(err.message).toMatch(/Sender Signature/);
    expect(err.details).toMatchObject({ providerStatus: 422, providerErrorCode: 400 });
  });

  it('maps ErrorCode 300 about the To address to connector.rejected_recipient, and other 300s to delivery_failed', async () => {
    await expectFailure(
      connector().send(sampleMessage({ to: 'not-an-address' }), { signal: signal() }),
      'connector.rejected_recipient',
    );
    const err = await expectFailure(
      connector().send(sampleMessage({ html: '', text: '' }), { signal: signal() }),
      'connector.delivery_failed',
    );
    expect(err.details.providerErrorCode).toBe(300);
  });

  it('maps an unknown message stream to connector.delivery_failed', async () => {
    const err = await expectFailure(
      connector({ messageStream: 'nope' }).send(sampleMessage(), { signal: signal() }),
      'connector.delivery_failed',
    );
    expect(err.message).toMatch(/message stream/);
  });

  it('maps 429 to connector.rate_limited and 5xx to a retryable connector.unavailable', async () => {
    peer.rateLimited = true;
    try {
      const err = await expectFailure(
        connector().send(sampleMessage(), { signal: signal() }),
        'connector.rate_limited',
      );
      expect(err.retryable).toBe(true);
    } finally {
      peer.rateLimited = false;
    }
    peer.outage = true;
    try {
      const err = await expectFailure(connector().send(sampleMessage(), { signal: signal() }), 'connector.unavailable');
      expect(err.retryable).toBe(true);
    } finally {
      peer.outage = false;
    }
  });

  it('maps a refused connection to connector.unavailable', async () => {
    await expectFailure(
      connector({ baseUrl: await refusedUrl() }).send(sampleMessage(), { signal: signal() }),
      'connector.unavailable',
    );
  });

  it('shows no token in an auth failure', async () => {
    const token = 'pm-secret-token-abcdef';
    const err = await expectFailure(
      connector({ serverToken: token }).send(sampleMessage(), { signal: signal() }),
      'connector.auth_failed',
      [token],
    );
    expect(err.details).toMatchObject({ providerStatus: 401, providerErrorCode: 10 });
  });

  it('stops a send in flight with connector.timeout when the signal aborts', async () => {
    const c = connector();
    await expectAbortInFlight(peer, (s) => c.send(sampleMessage(), { signal: s }));
    await c.close?.();
  });
});
