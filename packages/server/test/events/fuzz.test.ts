import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { startPostern, type TestPostern } from '../helpers.js';
import { startSnsPeer } from '../../src/testing/peers/sns.js';
import { createSendgridEventWebhook } from '../../src/testing/peers/sendgrid-events.js';
import { createMailgunWebhooks } from '../../src/testing/peers/mailgun-events.js';
import { newWebhookSecret } from '../../src/testing/peers/standard-webhook-events.js';

/**
 * Random JSON at every provider-events route, unsigned and (where the test holds the key)
 * correctly signed, so that the parsers behind the signature checks see it too: the answer
 * is always a 2xx or a 4xx in the SPEC's error shape, never a 500.
 */
let p: TestPostern;
let sns: Awaited<ReturnType<typeof startSnsPeer>>;
const sendgrid = createSendgridEventWebhook();
const mailgun = createMailgunWebhooks();
const resendSecret = newWebhookSecret();
const httpSecret = newWebhookSecret();
let postmarkAuth = '';

const json = fc.jsonValue({ maxDepth: 4 });
/** JSON shaped a little like each provider's, so the parsers get past their first checks. */
const shaped = (keys: string[]) => fc.dictionary(fc.constantFrom(...keys), json, { maxKeys: keys.length });
const eventish = shaped([
  'event',
  'type',
  'email',
  'sg_message_id',
  'sg_event_id',
  'timestamp',
  'reason',
  'recipient',
  'messageId',
  'bounceType',
  'MessageID',
  'RecordType',
  'Type',
  'Email',
  'data',
  'created_at',
  'bounce',
  'to',
  'email_id',
]);
const body = fc.oneof(
  json,
  eventish,
  fc.array(eventish, { maxLength: 4 }),
  fc.record({
    type: fc.constantFrom('email.bounced', 'email.complained', 'email.delivered'),
    data: shaped(['email_id', 'to', 'bounce']),
  }),
);

beforeAll(async () => {
  sns = await startSnsPeer();
  p = await startPostern(
    'sqlite',
    { POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32', POSTERN_SNS_CERT_HOSTS: '127.0.0.1' },
    { outboundCa: [sns.ca] },
  );
  const configs: Record<string, Record<string, unknown>> = {
    'aws-ses': {
      accessKeyId: 'AKIAFUZZFUZZFUZZ1234',
      secretAccessKey: 'x'.repeat(40),
      region: 'us-east-1',
      fromEmail: 'a@example.test',
      endpoint: 'http://127.0.0.1:9',
      snsTopicArns: [sns.topicArn],
    },
    sendgrid: {
      apiKey: 'SG.fuzz',
      fromEmail: 'a@example.test',
      baseUrl: 'http://127.0.0.1:9',
      eventWebhookPublicKey: sendgrid.publicKey,
    },
    mailgun: {
      apiKey: 'key-fuzz',
      domain: 'mg.example.test',
      fromEmail: 'a@mg.example.test',
      baseUrl: 'http://127.0.0.1:9',
      webhookSigningKey: mailgun.signingKey,
    },
    postmark: { serverToken: 'pm-fuzz', fromEmail: 'a@example.test', baseUrl: 'http://127.0.0.1:9' },
    resend: {
      apiKey: 're_fuzz',
      fromEmail: 'a@example.test',
      baseUrl: 'http://127.0.0.1:9',
      webhookSecret: resendSecret,
    },
    http: { endpoint: 'http://127.0.0.1:9/hook', signingSecret: httpSecret },
  };
  for (const [factoryId, config] of Object.entries(configs)) {
    await p.api('POST', '/api/tenants', { id: `fz-${factoryId}`, name: factoryId });
    const r = await p.api('PUT', `/t/fz-${factoryId}/api/connectors/email`, { factoryId, config });
    expect(r.status).toBe(200);
    if (factoryId === 'postmark') {
      const creds = /^https?:\/\/([^@/]+)@/.exec(r.body.eventsUrl as string)![1]!;
      postmarkAuth = `Basic ${Buffer.from(decodeURIComponent(creds.split(':')[0]!) + ':' + decodeURIComponent(creds.split(':')[1]!)).toString('base64')}`;
    }
  }
});
afterAll(async () => {
  await p?.close();
  await sns?.close();
});

/** How a request is signed (or not) for each factory, given the body text. */
const SIGNERS: Record<string, (raw: string, value: unknown) => { headers: Record<string, string>; payload: string }> = {
  'aws-ses': (raw, value) => {
    // A real SNS signature over a Message carrying the random JSON (or the raw random envelope).
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length % 2 === 0)
      return { headers: { 'content-type': 'text/plain' }, payload: raw };
    return {
      headers: { 'content-type': 'text/plain; charset=UTF-8' },
      payload: JSON.stringify(sns.notification(raw, { version: raw.length % 2 ? '1' : '2' })),
    };
  },
  sendgrid: (raw) => {
    const ts = String(Math.floor(Date.now() / 1000));
    return {
      headers: {
        'content-type': 'application/json',
        'x-twilio-email-event-webhook-timestamp': ts,
        'x-twilio-email-event-webhook-signature': sendgrid.sign(ts, raw),
      },
      payload: raw,
    };
  },
  mailgun: (_raw, value) => {
    const ts = String(Math.floor(Date.now() / 1000));
    const token = randomUUID().replace(/-/g, '');
    return {
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({
        signature: { timestamp: ts, token, signature: mailgun.signature(ts, token) },
        'event-data': value,
      }),
    };
  },
  postmark: (raw) => ({ headers: { 'content-type': 'application/json', authorization: postmarkAuth }, payload: raw }),
  resend: (raw) => {
    const id = `msg_${randomUUID()}`;
    const now = new Date();
    return {
      headers: {
        'content-type': 'application/json',
        'svix-id': id,
        'svix-timestamp': String(Math.floor(now.getTime() / 1000)),
        'svix-signature': new Webhook(resendSecret).sign(id, now, raw),
      },
      payload: raw,
    };
  },
  http: (raw) => {
    const id = `msg_${randomUUID()}`;
    const now = new Date();
    return {
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': new Webhook(httpSecret).sign(id, now, raw),
      },
      payload: raw,
    };
  },
};

const HEADER_NAMES = [
  'x-twilio-email-event-webhook-signature',
  'x-twilio-email-event-webhook-timestamp',
  'svix-id',
  'svix-timestamp',
  'svix-signature',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
  'authorization',
  'x-amz-sns-message-type',
];

describe('fuzz of the provider-events routes', () => {
  for (const factoryId of Object.keys(SIGNERS)) {
    it(`${factoryId}: random JSON, signed or not, never yields a 500`, async () => {
      const url = `/t/fz-${factoryId}/api/provider-events/${factoryId}`;
      await fc.assert(
        fc.asyncProperty(
          body,
          fc.boolean(),
          fc.dictionary(fc.constantFrom(...HEADER_NAMES), fc.string({ maxLength: 40 }), { maxKeys: 4 }),
          async (value, signed, junk) => {
            const raw = JSON.stringify(value);
            const req = signed
              ? SIGNERS[factoryId]!(raw, value)
              : { headers: { 'content-type': 'application/json', ...junk }, payload: raw };
            const res = await p.app.inject({ method: 'POST', url, headers: req.headers, payload: req.payload });
            expect(res.statusCode, res.body).toBeLessThan(500);
            if (res.statusCode >= 400) {
              const b = JSON.parse(res.body) as { code: string; message: string };
              expect(['request.invalid', 'webhook.invalid_signature', 'request.too_large']).toContain(b.code);
              expect(b.message).not.toMatch(/at .*\.ts:\d+|TypeError|undefined/);
            }
          },
        ),
        { numRuns: 60 },
      );
    });
  }

  it('bodies that are not JSON, or not there, are 400 or 401', async () => {
    for (const factoryId of Object.keys(SIGNERS)) {
      for (const [ct, payload] of [
        ['text/plain', 'not json'],
        ['application/x-www-form-urlencoded', 'a=b'],
        [undefined, ''],
        ['application/json', '{"a":'],
      ] as const) {
        const res = await p.app.inject({
          method: 'POST',
          url: `/t/fz-${factoryId}/api/provider-events/${factoryId}`,
          headers: ct ? { 'content-type': ct } : {},
          payload,
        });
        expect([400, 401]).toContain(res.statusCode);
      }
    }
  });

  it('an unknown factory, one without events, or a tenant whose connector is another provider: 404', async () => {
    expect(
      (
        await p.app.inject({
          method: 'POST',
          url: '/t/fz-http/api/provider-events/nope',
          payload: '{}',
          headers: { 'content-type': 'application/json' },
        })
      ).statusCode,
    ).toBe(404);
    expect(
      JSON.parse(
        (
          await p.app.inject({
            method: 'POST',
            url: '/api/provider-events/smtp',
            payload: '{}',
            headers: { 'content-type': 'application/json' },
          })
        ).body,
      ).code,
    ).toBe('connector.factory_not_found');
    expect(
      JSON.parse(
        (
          await p.app.inject({
            method: 'POST',
            url: '/t/fz-http/api/provider-events/sendgrid',
            payload: '[]',
            headers: { 'content-type': 'application/json' },
          })
        ).body,
      ).code,
    ).toBe('connector.not_found');
  });
});
