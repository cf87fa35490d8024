import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { conformanceChecks, createTestContext, sampleMessage } from '@postern/connector-kit/conformance';
import factory from './index.js';
import { aliyunDmEndpoint, type AliyunDmConfig } from './schema.js';
import { startAliyunDmPeer } from '../../testing/peers/aliyun-dm.js';
import { expectAbortInFlight, expectFailure, refusedUrl, signal } from '../_provider/expect.test-helpers.js';

type Peer = Awaited<ReturnType<typeof startAliyunDmPeer>>;
let peer: Peer;

beforeAll(async () => {
  peer = await startAliyunDmPeer({ senders: ['noreply@mail.example.test', 'other@mail.example.test'] });
});
afterAll(async () => {
  await peer.close();
});

const base = (over: Partial<AliyunDmConfig> = {}): AliyunDmConfig =>
  factory.configSchema.parse({
    accessKeyId: peer.accessKeyId,
    accessKeySecret: peer.accessKeySecret,
    accountName: 'noreply@mail.example.test',
    endpoint: peer.url,
    ...over,
  });
const connector = (over: Partial<AliyunDmConfig> = {}) => factory.create(base(over), createTestContext());
const ok = { accessKeyId: 'LTAI', accessKeySecret: 's', accountName: 'a@example.com' };

describe('aliyun-dm conformance', () => {
  for (const c of conformanceChecks({
    factory,
    validConfig: () => base(),
    invalidConfigs: [
      {},
      { ...ok, regionId: 'cn-beijing' },
      { ...ok, accessKeySecret: '' },
      { ...ok, fromAlias: 'a much too long sender alias' },
      { ...ok, accountName: 'x' },
    ],
    received: () => peer.received,
    badCredentialsConfig: () => base({ accessKeySecret: 'wrong-access-key-secret-98765' }),
    rejectedRecipient: { to: 'not-an-address' },
  })) {
    it(c.name, c.run);
  }
});

describe('aliyun-dm', () => {
  it('picks the endpoint from regionId (cn-hangzhou by default) unless one is set', () => {
    const parse = (c: object) => factory.configSchema.parse({ ...ok, ...c });
    expect(aliyunDmEndpoint(parse({}))).toBe('https://dm.aliyuncs.com');
    expect(aliyunDmEndpoint(parse({ regionId: 'ap-southeast-1' }))).toBe('https://dm.ap-southeast-1.aliyuncs.com');
    expect(aliyunDmEndpoint(parse({ regionId: 'ap-southeast-2' }))).toBe('https://dm.ap-southeast-2.aliyuncs.com');
    expect(aliyunDmEndpoint(parse({ regionId: 'eu-central-1' }))).toBe('https://dm.eu-central-1.aliyuncs.com');
    expect(aliyunDmEndpoint(parse({ regionId: 'us-east-1' }))).toBe('https://dm.us-east-1.aliyuncs.com');
    expect(aliyunDmEndpoint(parse({ regionId: 'us-east-1', endpoint: 'https://proxy.test' }))).toBe(
      'https://proxy.test',
    );
  });

  it('maps account name, alias, region, bodies and reply-to into a signed request', async () => {
    const res = await connector({ fromAlias: 'Acme', regionId: 'eu-central-1', replyToAddress: true }).send(
      sampleMessage({ to: 'bob@example.test', subject: 'dm-map 中文 !*' }),
      { signal: signal() },
    );
    const got = peer.received.at(-1)!;
    expect(got).toMatchObject({
      to: 'bob@example.test',
      subject: 'dm-map 中文 !*',
      accountName: 'noreply@mail.example.test',
      fromAlias: 'Acme',
      regionId: 'eu-central-1',
      replyToAddress: 'true',
      textBody: 'Your code is 123456.',
    });
    expect(got.htmlBody).toContain('123456');
    expect(res.providerMessageId).toBe(got.envId);
  });

  it("lets the message's sender and reply-to override, cutting the alias to 15 characters", async () => {
    await connector().send(
      sampleMessage({
        subject: 'dm-over',
        from: { email: 'other@mail.example.test', name: 'A sender name that is long' },
        replyTo: 'help@example.test',
      }),
      { signal: signal() },
    );
    expect(peer.received.at(-1)).toMatchObject({
      subject: 'dm-over',
      accountName: 'other@mail.example.test',
      fromAlias: 'A sender name t',
      replyToAddress: 'true',
      replyAddress: 'help@example.test',
    });
  });

  it('explains an unknown sender address', async () => {
    const err = await expectFailure(
      connector({ accountName: 'nobody@mail.example.test' }).send(sampleMessage(), { signal: signal() }),
      'connector.delivery_failed',
    );
    expect(err.message).toMatch(/accountName/);
    expect(err.details).toMatchObject({ providerStatus: 404, providerErrorCode: 'InvalidMailAddress.NotFound' });
  });

  it('maps an unknown AccessKey ID and a wrong secret to connector.auth_failed without the secret', async () => {
    const secret = 'another-wrong-secret-abcdef';
    const err = await expectFailure(
      connector({ accessKeySecret: secret }).send(sampleMessage(), { signal: signal() }),
      'connector.auth_failed',
      [secret],
    );
    expect(err.details.providerErrorCode).toBe('SignatureDoesNotMatch');
    const err2 = await expectFailure(
      connector({ accessKeyId: 'LTAIunknown' }).send(sampleMessage(), { signal: signal() }),
      'connector.auth_failed',
    );
    expect(err2.details.providerErrorCode).toBe('InvalidAccessKeyId.NotFound');
  });

  it('refuses a replayed request (same nonce) and a stale timestamp', async () => {
    let firstBody: string | undefined;
    const replaying = createTestContext({
      fetch: async (url, init) => {
        firstBody ??= String(init?.body);
        return fetch(url, { ...init, body: firstBody });
      },
    });
    const c = factory.create(base(), replaying);
    await c.send(sampleMessage({ subject: 'dm-replay' }), { signal: signal() });
    const err = await expectFailure(
      c.send(sampleMessage({ subject: 'dm-replay-2' }), { signal: signal() }),
      'connector.delivery_failed',
    );
    expect(err.details.providerErrorCode).toBe('SignatureNonceUsed');
    expect(err.retryable).toBe(true);
    expect(peer.received.filter((m) => m.subject.startsWith('dm-replay'))).toHaveLength(1);

    const ahead = await startAliyunDmPeer({
      accessKeyId: peer.accessKeyId,
      accessKeySecret: peer.accessKeySecret,
      clockOffsetMs: 60 * 60 * 1000,
    });
    try {
      const stale = await expectFailure(
        connector({ endpoint: ahead.url }).send(sampleMessage(), { signal: signal() }),
        'connector.delivery_failed',
      );
      expect(stale.message).toMatch(/clock/);
      expect(ahead.received).toHaveLength(0);
    } finally {
      await ahead.close();
    }
  });

  it('maps Throttling to connector.rate_limited and ServiceUnavailable to a retryable connector.unavailable', async () => {
    peer.rateLimited = true;
    try {
      // DirectMail sends no Retry-After: every throttling code still says how long to wait.
      for (const throttle of ['Throttling.User', 'Throttling.Api', 'Throttling']) {
        peer.throttleCode = throttle;
        const err = await expectFailure(
          connector().send(sampleMessage(), { signal: signal() }),
          'connector.rate_limited',
        );
        expect(err.details.providerErrorCode).toBe(throttle);
        expect(err.details.providerStatus).toBe(400);
        expect(err.details.retryAfter).toBe(1);
        expect(err.retryable).toBe(true);
      }
    } finally {
      peer.rateLimited = false;
      peer.throttleCode = 'Throttling.User';
    }
    peer.outage = true;
    try {
      const err = await expectFailure(connector().send(sampleMessage(), { signal: signal() }), 'connector.unavailable');
      expect(err.retryable).toBe(true);
      expect(err.details.providerStatus).toBe(503);
    } finally {
      peer.outage = false;
    }
  });

  it('maps a refused connection to connector.unavailable', async () => {
    await expectFailure(
      connector({ endpoint: await refusedUrl() }).send(sampleMessage(), { signal: signal() }),
      'connector.unavailable',
    );
  });

  it('stops a send in flight with connector.timeout when the signal aborts', async () => {
    const c = connector();
    await expectAbortInFlight(peer, (s) => c.send(sampleMessage(), { signal: s }));
    await c.close?.();
  });
});
