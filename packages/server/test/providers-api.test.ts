import { afterAll, describe, expect, it } from 'vitest';
import { startSendgridPeer } from '../src/testing/peers/sendgrid.js';
import { startMailgunPeer } from '../src/testing/peers/mailgun.js';
import { startPostmarkPeer } from '../src/testing/peers/postmark.js';
import { startSesPeer } from '../src/testing/peers/aws-ses.js';
import { startAliyunDmPeer } from '../src/testing/peers/aliyun-dm.js';
import { startResendPeer } from '../src/testing/peers/resend.js';
import { startPostern, type TestPostern } from './helpers.js';

interface Case {
  factoryId: string;
  start(): Promise<{ url: string; received: Array<{ to: string; subject: string }>; close(): Promise<void> } & Record<string, any>>;
  config(peer: any): Record<string, unknown>;
  /** Where the message body the peer saw keeps the code. */
  body(received: any): string;
  secret: string;
}

const CASES: Case[] = [
  {
    factoryId: 'sendgrid',
    start: () => startSendgridPeer({ apiKey: 'SG.api-test.0123456789', verifiedSenders: ['auth@example.test'] }),
    config: (peer) => ({ apiKey: peer.apiKey, fromEmail: 'auth@example.test', baseUrl: peer.url }),
    body: (r) => r.text ?? '',
    secret: 'apiKey',
  },
  {
    factoryId: 'mailgun',
    start: () => startMailgunPeer({ apiKey: 'key-api-test-0123456789', region: 'us', domains: { 'mg.example.test': 'us' } }),
    config: (peer) => ({ apiKey: peer.apiKey, domain: 'mg.example.test', fromEmail: 'auth@mg.example.test', baseUrl: peer.url }),
    body: (r) => r.text ?? '',
    secret: 'apiKey',
  },
  {
    factoryId: 'postmark',
    start: () => startPostmarkPeer({ serverToken: 'pm-api-test-0123456789', senderSignatures: ['@example.test'] }),
    config: (peer) => ({ serverToken: peer.serverToken, fromEmail: 'auth@example.test', baseUrl: peer.url }),
    body: (r) => r.textBody ?? '',
    secret: 'serverToken',
  },
  {
    factoryId: 'aws-ses',
    start: () => startSesPeer({ region: 'eu-west-1', verifiedIdentities: ['example.test'], sandbox: false }),
    config: (peer) => ({ accessKeyId: peer.accessKeyId, secretAccessKey: peer.secretAccessKey, region: peer.region, fromEmail: 'auth@example.test', endpoint: peer.url }),
    body: (r) => r.text ?? '',
    secret: 'secretAccessKey',
  },
  {
    factoryId: 'aliyun-dm',
    start: () => startAliyunDmPeer({ senders: ['noreply@mail.example.test'] }),
    config: (peer) => ({ accessKeyId: peer.accessKeyId, accessKeySecret: peer.accessKeySecret, accountName: 'noreply@mail.example.test', endpoint: peer.url }),
    body: (r) => r.htmlBody ?? r.textBody ?? '',
    secret: 'accessKeySecret',
  },
  {
    factoryId: 'resend',
    start: () => startResendPeer({ apiKey: 're_api_test_0123456789', verifiedDomains: ['example.test'] }),
    config: (peer) => ({ apiKey: peer.apiKey, fromEmail: 'auth@example.test', baseUrl: peer.url }),
    body: (r) => r.text ?? '',
    secret: 'apiKey',
  },
];

/** Each provider connector works through the admin API: test send, save, and a real code send. */
describe('provider connectors through the API', () => {
  let p: TestPostern;
  const peers: Array<{ close(): Promise<void> }> = [];
  afterAll(async () => {
    await p?.close();
    await Promise.all(peers.map((x) => x.close()));
  });

  for (const c of CASES) {
    it(`${c.factoryId}: test send, save, and the next code arrives with its provider id logged`, async () => {
      p ??= await startPostern('sqlite', { POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32' });
      await p.api('PATCH', '/api/verification-code-policy', { resendCooldownSeconds: 0 });
      const peer = await c.start();
      peers.push(peer);
      const config = c.config(peer);
      const test = await p.api('POST', '/api/connectors/test', { factoryId: c.factoryId, config, to: `test-${c.factoryId}@example.test` });
      expect(test.status, JSON.stringify(test.body)).toBe(200);
      expect(test.body.providerMessageId).toEqual(expect.any(String));

      const saved = await p.api('PUT', '/api/connectors/email', { factoryId: c.factoryId, config });
      expect(saved.status).toBe(200);
      expect(saved.body.config[c.secret]).toMatch(/^••••/);

      const to = `user-${c.factoryId}@example.test`;
      expect((await p.api('POST', '/api/verification-codes', { email: to })).status).toBe(201);
      const got = peer.received.filter((r) => r.to.includes(to));
      expect(got).toHaveLength(1);
      expect(c.body(got[0])).toMatch(/\d{6}/);
      const log = (await p.api('GET', `/api/email-logs?to=${to}`)).body.items[0];
      expect(log).toMatchObject({ factoryId: c.factoryId, status: 'sent', attempts: 1 });
      expect(log.providerMessageId).toEqual(expect.any(String));

      const wrong = await p.api('POST', '/api/connectors/test', { factoryId: c.factoryId, config: { ...config, [c.secret]: 'wrong-secret-value-0000' }, to: 'x@example.test' });
      expect(wrong.status).toBe(502);
      expect(wrong.body.code).toBe('connector.auth_failed');
      expect(JSON.stringify(wrong.body)).not.toContain('wrong-secret-value-0000');
    });
  }
});
