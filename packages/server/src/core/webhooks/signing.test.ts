import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { newWebhookSecret, signedHeaders } from './signing.js';

describe('Standard Webhooks signing', () => {
  const body = JSON.stringify({
    type: 'email.sent',
    timestamp: '2026-01-01T00:00:00.000Z',
    data: { to: 'a@example.test' },
  });
  const now = Math.floor(Date.now() / 1000);

  it('makes whsec_ secrets of 32 random bytes', () => {
    const s = newWebhookSecret();
    expect(s).toMatch(/^whsec_/);
    expect(Buffer.from(s.slice(6), 'base64')).toHaveLength(32);
    expect(newWebhookSecret()).not.toBe(s);
  });

  it('signs so that the standardwebhooks package verifies it', () => {
    const secret = newWebhookSecret();
    const headers = signedHeaders([secret], 'evt_1', now, body);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow();
    expect(() => new Webhook(secret).verify(body.replace('a@', 'b@'), headers)).toThrow();
  });

  it('during a rotation, either secret verifies', () => {
    const [oldSecret, newSecret] = [newWebhookSecret(), newWebhookSecret()];
    const headers = signedHeaders([newSecret, oldSecret], 'evt_2', now, body);
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    for (const s of [oldSecret, newSecret]) expect(new Webhook(s).verify(body, headers)).toEqual(JSON.parse(body));
  });
});
