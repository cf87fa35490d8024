import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { startPostern, type TestPostern } from '../helpers.js';
import { startSendgridPeer } from '../../src/testing/peers/sendgrid.js';
import { startMailgunPeer } from '../../src/testing/peers/mailgun.js';
import { startPostmarkPeer } from '../../src/testing/peers/postmark.js';
import { startSesPeer } from '../../src/testing/peers/aws-ses.js';
import { startResendPeer } from '../../src/testing/peers/resend.js';
import { startWebhookPeer } from '../../src/testing/peers/webhook.js';
import { ses, startSnsPeer } from '../../src/testing/peers/sns.js';
import { createSendgridEventWebhook } from '../../src/testing/peers/sendgrid-events.js';
import { createMailgunWebhooks } from '../../src/testing/peers/mailgun-events.js';
import { deliverPostmark, postmarkRecords } from '../../src/testing/peers/postmark-events.js';
import {
  deliverStandardWebhook,
  newWebhookSecret,
  resendEvents,
} from '../../src/testing/peers/standard-webhook-events.js';

type Reply = { status: number; body: any };
type Kind = 'hard' | 'soft' | 'complaint' | 'delivered';

/** One provider: its send peer, its connector config, and its side of the events webhook. */
interface Harness {
  factoryId: string;
  config: Record<string, unknown>;
  /** Messages the send peer has accepted. */
  sent(): number;
  event(url: string, messageId: string, to: string, kind: Kind): Promise<Reply>;
  wrongSignature(url: string, messageId: string, to: string): Promise<Reply>;
  /** A correctly signed request whose signed timestamp is 10 minutes old (providers that sign one). */
  stale?(url: string, messageId: string, to: string): Promise<Reply>;
  close(): Promise<void>;
}

let p: TestPostern;
let base = '';
const closers: Array<() => Promise<void>> = [];
let sns: Awaited<ReturnType<typeof startSnsPeer>>;
/** The eventsUrl each connector answered when it was made. */
const madeUrls: Record<string, string> = {};

beforeAll(async () => {
  sns = await startSnsPeer({ region: 'eu-west-1' });
  closers.push(() => sns.close());
  p = await startPostern(
    'sqlite',
    { POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32', POSTERN_SNS_CERT_HOSTS: '127.0.0.1' },
    { outboundCa: [sns.ca] },
  );
  base = await p.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await p?.close();
  for (const c of closers) await c();
});

const HARNESSES: Record<string, () => Promise<Harness>> = {
  async 'aws-ses'() {
    const peer = await startSesPeer({ region: 'eu-west-1', verifiedIdentities: ['example.test'], sandbox: false });
    const payload = (id: string, to: string, kind: Kind) =>
      kind === 'complaint'
        ? ses.complaint(id, to)
        : kind === 'delivered'
          ? ses.delivery(id, to)
          : ses.bounce(id, to, kind === 'hard' ? 'Permanent' : 'Transient');
    return {
      factoryId: 'aws-ses',
      config: {
        accessKeyId: peer.accessKeyId,
        secretAccessKey: peer.secretAccessKey,
        region: 'eu-west-1',
        fromEmail: 'auth@example.test',
        endpoint: peer.url,
        snsTopicArns: [sns.topicArn],
      },
      sent: () => peer.received.length,
      event: (url, id, to, kind) =>
        sns.deliver(url, sns.notification(payload(id, to, kind), { version: kind === 'complaint' ? '2' : '1' })),
      wrongSignature: (url, id, to) => {
        const env = sns.notification(ses.bounce(id, to));
        return sns.deliver(url, { ...env, Message: JSON.stringify(ses.bounce(id, `x${to}`)) });
      },
      close: () => peer.close(),
    };
  },
  async sendgrid() {
    const peer = await startSendgridPeer({
      apiKey: 'SG.events-test.0123456789',
      verifiedSenders: ['auth@example.test'],
    });
    const hook = createSendgridEventWebhook();
    const kinds = { hard: 'bounce', soft: 'blocked', complaint: 'spamreport', delivered: 'delivered' } as const;
    return {
      factoryId: 'sendgrid',
      config: {
        apiKey: peer.apiKey,
        fromEmail: 'auth@example.test',
        baseUrl: peer.url,
        eventWebhookPublicKey: hook.publicKey,
      },
      sent: () => peer.received.length,
      event: (url, id, to, kind) => hook.deliver(url, [hook.event(id, to, kinds[kind])]),
      wrongSignature: (url, id, to) =>
        hook.deliver(url, [hook.event(id, to, 'bounce')], {
          signature: createSendgridEventWebhook().sign(String(Math.floor(Date.now() / 1000)), '[]'),
        }),
      stale: (url, id, to) =>
        hook.deliver(url, [hook.event(id, to, 'bounce')], { timestamp: Math.floor(Date.now() / 1000) - 600 }),
      close: () => peer.close(),
    };
  },
  async mailgun() {
    const peer = await startMailgunPeer({
      apiKey: 'key-events-test-0123456789',
      region: 'us',
      domains: { 'mg.example.test': 'us' },
    });
    const hooks = createMailgunWebhooks();
    const kinds = { hard: 'permanent', soft: 'temporary', complaint: 'complained', delivered: 'delivered' } as const;
    return {
      factoryId: 'mailgun',
      config: {
        apiKey: peer.apiKey,
        domain: 'mg.example.test',
        fromEmail: 'auth@mg.example.test',
        baseUrl: peer.url,
        webhookSigningKey: hooks.signingKey,
      },
      sent: () => peer.received.length,
      event: (url, id, to, kind) => hooks.deliver(url, hooks.eventData(id, to, kinds[kind])),
      wrongSignature: (url, id, to) =>
        hooks.deliver(url, hooks.eventData(id, to, 'permanent'), { key: 'not-the-signing-key' }),
      stale: (url, id, to) =>
        hooks.deliver(url, hooks.eventData(id, to, 'permanent'), { timestamp: Math.floor(Date.now() / 1000) - 600 }),
      close: () => peer.close(),
    };
  },
  async postmark() {
    const peer = await startPostmarkPeer({
      serverToken: 'pm-events-test-0123456789',
      senderSignatures: ['@example.test'],
    });
    const types = { hard: 'HardBounce', soft: 'SoftBounce', complaint: 'SpamComplaint' } as const;
    const h: Harness & { eventsUrl?: string } = {
      factoryId: 'postmark',
      config: { serverToken: peer.serverToken, fromEmail: 'auth@example.test', baseUrl: peer.url },
      sent: () => peer.received.length,
      event: (url, id, to, kind) =>
        deliverPostmark(
          withCredentials(url, h.eventsUrl!),
          kind === 'delivered' ? postmarkRecords.delivery(id, to) : postmarkRecords.bounce(id, to, types[kind]),
        ),
      wrongSignature: (url, id, to) => {
        const u = new URL(withCredentials(url, h.eventsUrl!));
        u.password = 'wrong-password';
        return deliverPostmark(u.href, postmarkRecords.bounce(id, to));
      },
      close: () => peer.close(),
    };
    return h;
  },
  async resend() {
    const peer = await startResendPeer({ apiKey: 're_events_test_0123456789', verifiedDomains: ['example.test'] });
    const secret = newWebhookSecret();
    const types = {
      hard: 'email.bounced',
      soft: 'email.bounced',
      complaint: 'email.complained',
      delivered: 'email.delivered',
    } as const;
    return {
      factoryId: 'resend',
      config: { apiKey: peer.apiKey, fromEmail: 'auth@example.test', baseUrl: peer.url, webhookSecret: secret },
      sent: () => peer.received.length,
      event: (url, id, to, kind) =>
        deliverStandardWebhook(
          url,
          secret,
          resendEvents.event(id, to, types[kind], kind === 'soft' ? 'Transient' : 'Permanent'),
          { prefix: 'svix-' },
        ),
      wrongSignature: (url, id, to) =>
        deliverStandardWebhook(url, newWebhookSecret(), resendEvents.event(id, to, 'email.bounced'), {
          prefix: 'svix-',
        }),
      stale: (url, id, to) =>
        deliverStandardWebhook(url, secret, resendEvents.event(id, to, 'email.bounced'), {
          prefix: 'svix-',
          timestamp: new Date(Date.now() - 600_000),
        }),
      close: () => peer.close(),
    };
  },
  async http() {
    const secret = newWebhookSecret();
    const peer = await startWebhookPeer({ secret });
    const body = (id: string, to: string, kind: Kind) =>
      kind === 'complaint'
        ? { messageId: id, event: 'complained', recipient: to }
        : kind === 'delivered'
          ? { messageId: id, event: 'delivered', recipient: to }
          : { messageId: id, event: 'bounced', recipient: to, bounceType: kind, reason: '550 5.1.1 no such user' };
    return {
      factoryId: 'http',
      config: { endpoint: peer.url, signingSecret: secret },
      sent: () => peer.received.length,
      event: (url, id, to, kind) => deliverStandardWebhook(url, secret, body(id, to, kind)),
      wrongSignature: (url, id, to) => deliverStandardWebhook(url, newWebhookSecret(), body(id, to, 'hard')),
      stale: (url, id, to) =>
        deliverStandardWebhook(url, secret, body(id, to, 'hard'), { timestamp: new Date(Date.now() - 600_000) }),
      close: () => peer.close(),
    };
  },
};

/** The generated credentials of a Postmark events URL, put on the URL the test listens at. */
function withCredentials(url: string, eventsUrl: string): string {
  const creds = /^https?:\/\/([^@/]+)@/.exec(eventsUrl)![1]!;
  return url.replace('://', `://${creds}@`);
}

const api = (tenant: string, method: string, path: string, body?: unknown) =>
  p.api(method, `/t/${tenant}${path}`, body);

async function sendCode(tenant: string, email: string) {
  return api(tenant, 'POST', '/api/verification-codes', { email });
}

async function lastLog(tenant: string, email: string) {
  const r = await api(tenant, 'GET', `/api/email-logs?to=${encodeURIComponent(email)}`);
  return r.body.items[0];
}

async function suppressions(tenant: string, email?: string) {
  return (await api(tenant, 'GET', `/api/suppressions${email ? `?email=${encodeURIComponent(email)}` : ''}`)).body
    .items as any[];
}

for (const [factoryId, make] of Object.entries(HARNESSES)) {
  describe(`provider events: ${factoryId}`, () => {
    let h: Harness & { eventsUrl?: string };
    const tenant = `ev-${factoryId}`;
    let url = '';
    const addr = (what: string) => `${what}-${randomUUID().slice(0, 8)}@example.test`;

    /** A management send that reached the provider: its provider message id. */
    async function sent(email: string): Promise<string> {
      const r = await sendCode(tenant, email);
      expect(r.status).toBe(201);
      const log = await lastLog(tenant, email);
      expect(log.providerMessageId).toBeTruthy();
      return log.providerMessageId as string;
    }

    beforeAll(async () => {
      h = await make();
      closers.push(() => h.close());
      expect((await p.api('POST', '/api/tenants', { id: tenant, name: tenant })).status).toBe(201);
      await api(tenant, 'PATCH', '/api/verification-code-policy', { resendCooldownSeconds: 0 });
      const c = await api(tenant, 'PUT', '/api/connectors/email', { factoryId, config: h.config });
      expect(c.status).toBe(200);
      expect(c.body.eventsUrl).toMatch(new RegExp(`/t/${tenant}/api/provider-events/${factoryId}$`));
      h.eventsUrl = c.body.eventsUrl;
      madeUrls[factoryId] = c.body.eventsUrl;
      url = `${base}/t/${tenant}/api/provider-events/${factoryId}`;
    });

    it('a hard bounce suppresses: the next management send is 422, an experience send answers 202 and sends nothing', async () => {
      const to = addr('hard');
      const id = await sent(to);
      const r = await h.event(url, id, to, 'hard');
      expect(r).toMatchObject({ status: 200, body: { received: 1, recorded: 1, ignored: 0 } });
      const [entry] = await suppressions(tenant, to);
      expect(entry).toMatchObject({ email: to, reason: 'hard_bounce', source: factoryId });
      expect(Date.parse(entry.expiresAt) - Date.now()).toBeGreaterThan(29 * 86400_000);

      const log = await lastLog(tenant, to);
      expect(log.deliveryStatus).toBe('bounced');
      expect(log.events).toEqual([
        expect.objectContaining({
          type: 'bounced',
          detail: expect.objectContaining({ bounceType: 'hard', recipient: to }),
        }),
      ]);

      const before = h.sent();
      const again = await sendCode(tenant, to);
      expect(again.status).toBe(422);
      expect(again.body).toMatchObject({ code: 'recipient.suppressed', details: { reason: 'hard_bounce' } });

      const other = await p.app.inject({
        method: 'POST',
        url: `/t/${tenant}/api/experience/verification-codes`,
        payload: { email: addr('fresh'), intent: 'register' },
      });
      const suppressed = await p.app.inject({
        method: 'POST',
        url: `/t/${tenant}/api/experience/verification-codes`,
        payload: { email: to, intent: 'register' },
      });
      expect(other.statusCode).toBe(202);
      expect(suppressed.statusCode).toBe(202);
      expect(Object.keys(JSON.parse(suppressed.body)).sort()).toEqual(Object.keys(JSON.parse(other.body)).sort());
      expect(h.sent()).toBe(before + 1); // only the fresh address got mail
      expect((await lastLog(tenant, to)).status).toBe('suppressed');
    });

    it('a complaint suppresses until removed', async () => {
      const to = addr('complaint');
      const id = await sent(to);
      expect((await h.event(url, id, to, 'complaint')).status).toBe(200);
      expect(await suppressions(tenant, to)).toEqual([
        expect.objectContaining({ reason: 'complaint', expiresAt: null }),
      ]);
      expect((await lastLog(tenant, to)).deliveryStatus).toBe('complained');
      const again = await sendCode(tenant, to);
      expect(again.body).toMatchObject({ code: 'recipient.suppressed', details: { reason: 'complaint' } });
      const before = h.sent();
      const exp = await p.app.inject({
        method: 'POST',
        url: `/t/${tenant}/api/experience/verification-codes`,
        payload: { email: to, intent: 'register' },
      });
      expect(exp.statusCode).toBe(202);
      expect(h.sent()).toBe(before);
      expect((await api(tenant, 'DELETE', `/api/suppressions/${encodeURIComponent(to)}`)).status).toBe(204);
      expect((await sendCode(tenant, to)).status).toBe(201);
    });

    it('a soft bounce is recorded but does not suppress', async () => {
      const to = addr('soft');
      const id = await sent(to);
      expect(await h.event(url, id, to, 'soft')).toMatchObject({ status: 200, body: { recorded: 1 } });
      expect(await suppressions(tenant, to)).toEqual([]);
      const log = await lastLog(tenant, to);
      expect(log.events).toEqual([
        expect.objectContaining({ type: 'bounced', detail: expect.objectContaining({ bounceType: 'soft' }) }),
      ]);
      expect((await sendCode(tenant, to)).status).toBe(201);
    });

    it('a delivery sets the delivery status; a later bounce still wins', async () => {
      const to = addr('delivered');
      const id = await sent(to);
      expect((await h.event(url, id, to, 'delivered')).status).toBe(200);
      expect((await lastLog(tenant, to)).deliveryStatus).toBe('delivered');
      expect((await h.event(url, id, to, 'soft')).status).toBe(200);
      expect((await h.event(url, id, to, 'delivered')).status).toBe(200);
      const log = await lastLog(tenant, to);
      expect(log.deliveryStatus).toBe('bounced');
      // (Postmark reports one delivery per message, so its repeat is recorded once.)
      expect(log.events.map((e: { type: string }) => e.type).slice(0, 2)).toEqual(['delivered', 'bounced']);
    });

    it('an event for a message Postern did not send is accepted and ignored', async () => {
      const to = addr('unknown');
      const r = await h.event(url, `unknown-${randomUUID()}`, to, 'hard');
      expect(r).toMatchObject({ status: 200, body: { received: 1, recorded: 0, ignored: 1 } });
      expect(await suppressions(tenant, to)).toEqual([]);
    });

    it('a wrong signature is refused and changes nothing', async () => {
      const to = addr('forged');
      const id = await sent(to);
      const r = await h.wrongSignature(url, id, to);
      expect(r.status).toBe(401);
      expect(r.body.code).toBe('webhook.invalid_signature');
      expect(await suppressions(tenant, to)).toEqual([]);
      expect((await lastLog(tenant, to)).events).toEqual([]);
    });

    if (factoryId !== 'aws-ses' && factoryId !== 'postmark') {
      it('a signed timestamp older than 5 minutes is refused', async () => {
        const to = addr('stale');
        const id = await sent(to);
        const r = await h.stale!(url, id, to);
        expect(r.status).toBe(401);
        expect(r.body).toMatchObject({ code: 'webhook.invalid_signature', details: { reason: 'stale' } });
        expect(await suppressions(tenant, to)).toEqual([]);
      });
    }

    it('a request with no authentication at all is refused', async () => {
      const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect([400, 401]).toContain(r.status);
      expect(r.status).not.toBe(500);
    });
  });
}

describe('SNS specifics', () => {
  const tenant = 'ev-aws-ses';
  const url = () => `${base}/t/${tenant}/api/provider-events/aws-ses`;

  it('a replayed MessageId is refused', async () => {
    const to = `replay-${randomUUID().slice(0, 8)}@example.test`;
    expect((await sendCode(tenant, to)).status).toBe(201);
    const id = (await lastLog(tenant, to)).providerMessageId;
    const env = sns.notification(ses.bounce(id, to, 'Transient'), { version: '2' });
    expect((await sns.deliver(url(), env)).status).toBe(200);
    const again = await sns.deliver(url(), env);
    expect(again.status).toBe(401);
    expect(again.body).toMatchObject({ code: 'webhook.invalid_signature', details: { reason: 'replayed' } });
    expect((await lastLog(tenant, to)).events).toHaveLength(1);
  });

  it('a signing certificate on a host that is not SNS is refused without being fetched', async () => {
    const to = `foreign-${randomUUID().slice(0, 8)}@example.test`;
    expect((await sendCode(tenant, to)).status).toBe(201);
    const id = (await lastLog(tenant, to)).providerMessageId;
    for (const certUrl of [
      'https://evil.example/SimpleNotificationService-1.pem',
      sns.certUrl.replace('https:', 'http:'),
      sns.certUrl.replace('.pem', '.txt'),
    ]) {
      const r = await sns.deliver(url(), sns.notification(ses.bounce(id, to), { certUrl }));
      expect(r.status).toBe(401);
      expect(r.body).toMatchObject({ code: 'webhook.invalid_signature', details: { reason: 'untrusted_certificate' } });
    }
    expect(await suppressions(tenant, to)).toEqual([]);
  });

  it('a message from a topic the connector does not list is refused', async () => {
    const r = await sns.deliver(
      url(),
      sns.notification(ses.bounce('x', 'a@example.test'), { topicArn: 'arn:aws:sns:eu-west-1:123456789012:other' }),
    );
    expect(r.body).toMatchObject({ code: 'webhook.invalid_signature', details: { reason: 'untrusted_topic' } });
  });

  it('confirms a subscription from a listed topic by fetching its SubscribeURL, and never one from another topic', async () => {
    const before = sns.confirmations.length;
    const env = sns.subscriptionConfirmation({ version: '2' });
    expect(await sns.deliver(url(), env)).toMatchObject({ status: 200, body: { received: 0 } });
    expect(sns.confirmations.slice(before)).toEqual([{ topicArn: sns.topicArn, token: env.Token }]);
    const foreign = await sns.deliver(
      url(),
      sns.subscriptionConfirmation({ topicArn: 'arn:aws:sns:eu-west-1:123456789012:other' }),
    );
    expect(foreign.status).toBe(401);
    expect(sns.confirmations.length).toBe(before + 1);
  });
});

describe('Postmark credentials', () => {
  const tenant = 'ev-postmark';
  it('are shown in full once, masked on reads, and can be replaced', async () => {
    const madeWithConnector = madeUrls.postmark!;
    expect(madeWithConnector).toMatch(
      /^http:\/\/postern-[0-9a-f]{8}:[A-Za-z0-9_-]{32}@localhost(:\d+)?\/t\/ev-postmark\/api\/provider-events\/postmark$/,
    );
    const c = (await api(tenant, 'GET', '/api/connectors')).body.items[0];
    expect(c.eventsUrl).toMatch(
      /^http:\/\/postern-[0-9a-f]{8}:••••[A-Za-z0-9_-]{4}@localhost(:\d+)?\/t\/ev-postmark\/api\/provider-events\/postmark$/,
    );
    expect(c.eventsUrl).toBe(madeWithConnector.replace(/:([A-Za-z0-9_-]{28})([A-Za-z0-9_-]{4})@/, ':••••$2@'));

    const made = await api(tenant, 'POST', `/api/connectors/${c.id}/events-credentials`);
    expect(made.status).toBe(200);
    expect(made.body.eventsUrl).not.toContain('••••');
    expect(made.body.eventsUrl).not.toBe(madeWithConnector);

    const to = `creds-${randomUUID().slice(0, 8)}@example.test`;
    expect((await sendCode(tenant, to)).status).toBe(201);
    const id = (await lastLog(tenant, to)).providerMessageId;
    const target = `${base}/t/${tenant}/api/provider-events/postmark`;
    const old = await deliverPostmark(withCredentials(target, madeWithConnector), postmarkRecords.bounce(id, to));
    expect(old.status).toBe(401);
    expect(await suppressions(tenant, to)).toEqual([]);
    expect(
      (await deliverPostmark(withCredentials(target, made.body.eventsUrl), postmarkRecords.bounce(id, to))).status,
    ).toBe(200);
    expect(await suppressions(tenant, to)).toEqual([
      expect.objectContaining({ reason: 'hard_bounce', source: 'postmark' }),
    ]);
  });

  it('are only for Postmark connectors', async () => {
    const c = (await api('ev-sendgrid', 'GET', '/api/connectors')).body.items[0];
    expect((await api('ev-sendgrid', 'POST', `/api/connectors/${c.id}/events-credentials`)).body.code).toBe(
      'request.invalid',
    );
  });
});
