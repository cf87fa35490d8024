import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { ConnectorError } from '@postern/connector-kit';
import { conformanceChecks, createTestContext, sampleMessage } from '@postern/connector-kit/conformance';
import { createOutboundPolicy } from '../../outbound/index.js';
import factory from './index.js';
import { sesEndpoint, type SesConfig } from './schema.js';
import { startSesPeer } from '../../testing/peers/aws-ses.js';
import { expectAbortInFlight, expectFailure, refusedUrl, signal } from '../_provider/expect.test-helpers.js';

type Peer = Awaited<ReturnType<typeof startSesPeer>>;
let peer: Peer;

beforeAll(async () => {
  peer = await startSesPeer({
    region: 'eu-west-1',
    verifiedIdentities: ['example.test', 'owner@inbox.test'],
    sandbox: false,
    configurationSets: ['auth-events'],
  });
});
afterAll(async () => {
  await peer.close();
});

const base = (over: Partial<SesConfig> = {}): SesConfig =>
  factory.configSchema.parse({
    accessKeyId: peer.accessKeyId,
    secretAccessKey: peer.secretAccessKey,
    region: peer.region,
    fromEmail: 'auth@example.test',
    endpoint: peer.url,
    ...over,
  });
const connector = (over: Partial<SesConfig> = {}) => factory.create(base(over), createTestContext());
const ok = { accessKeyId: 'AKIAEXAMPLE0000001', secretAccessKey: 's', region: 'us-east-1', fromEmail: 'a@example.com' };

describe('aws-ses conformance', () => {
  for (const c of conformanceChecks({
    factory,
    validConfig: () => base(),
    invalidConfigs: [
      {},
      { ...ok, region: 'mars' },
      { ...ok, secretAccessKey: '' },
      { ...ok, accessKeyId: 'lower' },
      { ...ok, endpoint: 'email.us-east-1.amazonaws.com' },
    ],
    received: () => peer.received,
    badCredentialsConfig: () => base({ secretAccessKey: 'wrong/secret/access/key/9876543210' }),
  })) {
    it(c.name, c.run);
  }
});

describe('aws-ses', () => {
  it('picks email.<region>.amazonaws.com unless an endpoint is set', () => {
    expect(sesEndpoint(factory.configSchema.parse({ ...ok, region: 'ap-southeast-2' }))).toBe(
      'https://email.ap-southeast-2.amazonaws.com',
    );
    expect(sesEndpoint(factory.configSchema.parse({ ...ok, endpoint: 'https://vpce.test' }))).toBe('https://vpce.test');
  });

  it('sends a signed request the emulator stores, mapping sender, reply-to, headers and configuration set', async () => {
    const res = await connector({
      fromName: 'Ãcme',
      replyTo: 'help@example.test',
      configurationSetName: 'auth-events',
    }).send(sampleMessage({ to: 'bob@inbox.test', subject: 'ses-map', headers: { 'X-Entity-Ref': 'r1' } }), {
      signal: signal(),
    });
    const got = peer.received.at(-1)!;
    expect(got).toMatchObject({
      to: 'bob@inbox.test',
      subject: 'ses-map',
      replyTo: ['help@example.test'],
      configurationSetName: 'auth-events',
      text: 'Your code is 123456.',
      headers: [{ Name: 'X-Entity-Ref', Value: 'r1' }],
    });
    expect(got.from).toBe(`=?UTF-8?B?${Buffer.from('Ãcme').toString('base64')}?= <auth@example.test>`);
    expect(res.providerMessageId).toBe(got.messageId);
    expect((await peer.store()).emails.some((e) => e.messageId === res.providerMessageId)).toBe(true);
  });

  it('maps a wrong secret (SignatureDoesNotMatch) and an unknown key id to connector.auth_failed without showing the secret', async () => {
    const secret = 'another/wrong/secret/abcdef';
    const err = await expectFailure(
      connector({ secretAccessKey: secret }).send(sampleMessage(), { signal: signal() }),
      'connector.auth_failed',
      [secret],
    );
    expect(err.details).toMatchObject({ providerStatus: 403, providerErrorType: 'SignatureDoesNotMatch' });
    const err2 = await expectFailure(
      connector({ accessKeyId: 'AKIAUNKNOWN0000009' }).send(sampleMessage(), { signal: signal() }),
      'connector.auth_failed',
    );
    expect(err2.details.providerErrorType).toBe('UnrecognizedClientException');
  });

  it('maps a credential scoped to another region to connector.auth_failed', async () => {
    await expectFailure(
      connector({ region: 'us-west-2' }).send(sampleMessage(), { signal: signal() }),
      'connector.auth_failed',
    );
  });

  it('is refused when the clocks are too far apart', async () => {
    const skewed = await startSesPeer({ region: 'eu-west-1', clockOffsetMs: 60 * 60 * 1000 });
    try {
      const c = factory.create(base({ endpoint: skewed.url }), createTestContext());
      const err = await expectFailure(c.send(sampleMessage(), { signal: signal() }), 'connector.auth_failed');
      expect(err.details.providerErrorType).toBe('InvalidSignatureException');
      await c.close?.();
    } finally {
      await skewed.close();
    }
  });

  it('maps MessageRejected for an unverified sender to delivery_failed, and for a sandbox recipient to rejected_recipient', async () => {
    const err = await expectFailure(
      connector({ fromEmail: 'auth@unverified.test' }).send(sampleMessage(), { signal: signal() }),
      'connector.delivery_failed',
    );
    expect(err.details).toMatchObject({
      providerStatus: 400,
      providerErrorType: 'MessageRejected',
      providerMessage: expect.stringContaining('auth@unverified.test'),
    });
    const sandbox = await startSesPeer({
      region: 'eu-west-1',
      verifiedIdentities: ['example.test', 'owner@inbox.test'],
      sandbox: true,
    });
    try {
      const c = factory.create(base({ endpoint: sandbox.url }), createTestContext());
      await expectFailure(
        c.send(sampleMessage({ to: 'stranger@inbox.test' }), { signal: signal() }),
        'connector.rejected_recipient',
      );
      await c.send(sampleMessage({ to: 'owner@inbox.test' }), { signal: signal() });
      await c.close?.();
    } finally {
      await sandbox.close();
    }
  });

  it('explains MAIL FROM, suspension and paused sending as connector.delivery_failed', async () => {
    peer.mailFromVerified = false;
    try {
      expect(
        (await expectFailure(connector().send(sampleMessage(), { signal: signal() }), 'connector.delivery_failed'))
          .message,
      ).toMatch(/MAIL FROM/);
    } finally {
      peer.mailFromVerified = true;
    }
    for (const [account, words] of [
      ['suspended', /suspended/],
      ['paused', /paused/],
    ] as const) {
      peer.account = account;
      try {
        expect(
          (await expectFailure(connector().send(sampleMessage(), { signal: signal() }), 'connector.delivery_failed'))
            .message,
        ).toMatch(words);
      } finally {
        peer.account = 'active';
      }
    }
  });

  it('maps an unknown configuration set to connector.delivery_failed', async () => {
    const err = await expectFailure(
      connector({ configurationSetName: 'nope' }).send(sampleMessage(), { signal: signal() }),
      'connector.delivery_failed',
    );
    expect(err.details.providerErrorType).toBe('NotFoundException');
  });

  it('maps TooManyRequestsException to connector.rate_limited and makes one attempt only', async () => {
    peer.rateLimited = true;
    const before = peer.received.length;
    try {
      const err = await expectFailure(
        connector().send(sampleMessage(), { signal: signal() }),
        'connector.rate_limited',
      );
      expect(err.retryable).toBe(true);
      expect((err.cause as { $metadata?: { attempts?: number } }).$metadata?.attempts).toBe(1);
    } finally {
      peer.rateLimited = false;
    }
    expect(peer.received.length).toBe(before);
  });

  it('maps 5xx and refused connections to a retryable connector.unavailable', async () => {
    peer.outage = true;
    try {
      const err = await expectFailure(connector().send(sampleMessage(), { signal: signal() }), 'connector.unavailable');
      expect(err.retryable).toBe(true);
    } finally {
      peer.outage = false;
    }
    const c = connector({ endpoint: await refusedUrl() });
    expect(
      (await expectFailure(c.send(sampleMessage(), { signal: signal() }), 'connector.unavailable')).retryable,
    ).toBe(true);
    await c.close?.();
  });

  it('checks a literal-IP endpoint against the destination policy before sending', async () => {
    const seen: string[] = [];
    const ctx = createTestContext({
      assertDestination: async (host) => {
        seen.push(host);
        throw new ConnectorError('connector.destination_blocked');
      },
    });
    const c = factory.create(base(), ctx);
    const before = peer.received.length;
    await expectFailure(c.send(sampleMessage(), { signal: signal() }), 'connector.destination_blocked');
    expect(seen).toEqual(['127.0.0.1']);
    expect(peer.received.length).toBe(before);
    await c.close?.();
  });

  it('resolves host names through ctx.lookup', async () => {
    const asked: string[] = [];
    const ctx = createTestContext({
      lookup: (hostname, options, callback) => {
        asked.push(hostname);
        if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
        else callback(null, '127.0.0.1', 4);
      },
    });
    const port = new URL(peer.url).port;
    const c = factory.create(base({ endpoint: `http://ses.peer.test:${port}` }), ctx);
    // The peer checks the signed Host header, which names ses.peer.test: the request got there through our lookup.
    await c.send(sampleMessage({ subject: 'ses-lookup' }), { signal: signal() });
    expect(asked).toContain('ses.peer.test');
    expect(peer.received.at(-1)!.subject).toBe('ses-lookup');
    await c.close?.();
  });

  it('stops a send in flight with connector.timeout when the signal aborts', async () => {
    const c = connector();
    await expectAbortInFlight(peer, (s) => c.send(sampleMessage(), { signal: s }));
    await c.close?.();
  });

  it('works through the real outbound policy: blocked on a loopback address (name or literal), sent when allow-listed', async () => {
    const port = new URL(peer.url).port;
    const resolve = async () => [{ address: '127.0.0.1', family: 4 as const }];
    const blockedPolicy = createOutboundPolicy({ resolve });
    const allowedPolicy = createOutboundPolicy({ resolve, allow: ['127.0.0.1/32'] });
    const ctx = (p: typeof blockedPolicy) =>
      createTestContext({ fetch: p.fetch, lookup: p.lookup, assertDestination: p.assertDestination });
    const byName = base({ endpoint: `http://email.peer.test:${port}` });
    const connectors = [
      factory.create(byName, ctx(blockedPolicy)),
      factory.create(base(), ctx(blockedPolicy)),
      factory.create(byName, ctx(allowedPolicy)),
    ];
    try {
      await expectFailure(connectors[0]!.send(sampleMessage(), { signal: signal() }), 'connector.destination_blocked');
      await expectFailure(connectors[1]!.send(sampleMessage(), { signal: signal() }), 'connector.destination_blocked');
      await connectors[2]!.send(sampleMessage({ subject: 'ses-policy' }), { signal: signal() });
      expect(peer.received.at(-1)!.subject).toBe('ses-policy');
    } finally {
      for (const c of connectors) await c.close?.();
      await blockedPolicy.close();
      await allowedPolicy.close();
    }
  });
});
