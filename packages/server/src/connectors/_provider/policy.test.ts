import { describe, it, expect, afterAll } from 'vitest';
import { createTestContext, sampleMessage } from '@postern/connector-kit/conformance';
import type { ConnectorFactory } from '@postern/connector-kit';
import { createOutboundPolicy } from '../../outbound/index.js';
import sendgrid from '../sendgrid/index.js';
import mailgun from '../mailgun/index.js';
import postmark from '../postmark/index.js';
import resend from '../resend/index.js';
import aliyunDm from '../aliyun-dm/index.js';
import { startSendgridPeer } from '../../testing/peers/sendgrid.js';
import { startMailgunPeer } from '../../testing/peers/mailgun.js';
import { startPostmarkPeer } from '../../testing/peers/postmark.js';
import { startResendPeer } from '../../testing/peers/resend.js';
import { startAliyunDmPeer } from '../../testing/peers/aliyun-dm.js';
import { signal } from './expect.test-helpers.js';

// The body shapes (JSON strings, URLSearchParams) must survive the policy's own fetch, not only the global one.
const policy = createOutboundPolicy({ allow: ['127.0.0.1/32'] });
const ctx = () =>
  createTestContext({ fetch: policy.fetch, lookup: policy.lookup, assertDestination: policy.assertDestination });
afterAll(() => policy.close());

interface Case {
  factory: ConnectorFactory;
  start: () => Promise<
    { url: string; received: Array<{ subject: string }>; close(): Promise<void> } & Record<string, unknown>
  >;
  config: (peer: Record<string, unknown>) => Record<string, unknown>;
}

const cases: Case[] = [
  {
    factory: sendgrid,
    start: () => startSendgridPeer(),
    config: (p) => ({ apiKey: p.apiKey, fromEmail: 'a@example.test', baseUrl: p.url }),
  },
  {
    factory: mailgun,
    start: () => startMailgunPeer(),
    config: (p) => ({ apiKey: p.apiKey, domain: 'mg.example.test', fromEmail: 'a@mg.example.test', baseUrl: p.url }),
  },
  {
    factory: postmark,
    start: () => startPostmarkPeer(),
    config: (p) => ({ serverToken: p.serverToken, fromEmail: 'a@example.test', baseUrl: p.url }),
  },
  {
    factory: resend,
    start: () => startResendPeer(),
    config: (p) => ({ apiKey: p.apiKey, fromEmail: 'a@example.test', baseUrl: p.url }),
  },
  {
    factory: aliyunDm,
    start: () => startAliyunDmPeer(),
    config: (p) => ({
      accessKeyId: p.accessKeyId,
      accessKeySecret: p.accessKeySecret,
      accountName: 'a@example.test',
      endpoint: p.url,
    }),
  },
];

describe('provider connectors through the outbound policy', () => {
  for (const c of cases) {
    it(`${c.factory.id}: sends through the policy's fetch when the peer is allow-listed`, async () => {
      const peer = await c.start();
      try {
        const connector = c.factory.create(c.factory.configSchema.parse(c.config(peer)), ctx());
        await connector.send(sampleMessage({ subject: `policy-${c.factory.id}` }), { signal: signal() });
        expect(peer.received.at(-1)?.subject).toBe(`policy-${c.factory.id}`);
        await connector.close?.();
      } finally {
        await peer.close();
      }
    });
  }
});
