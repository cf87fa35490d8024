/**
 * SendGrid's side of the Signed Event Webhook: an EC P-256 key pair made for the test, the
 * public key shown as SendGrid shows it (base64 DER SubjectPublicKeyInfo), and each batch
 * signed with ECDSA/SHA-256 (DER signature, base64) over the timestamp followed by the body.
 */
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { postEvent } from './events-post.js';

export function createSendgridEventWebhook() {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const publicKeyB64 = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  return {
    publicKey: publicKeyB64,
    /** One event as SendGrid posts it; `xMessageId` is what the send answered in X-Message-Id. */
    event(
      xMessageId: string,
      email: string,
      kind: 'delivered' | 'bounce' | 'blocked' | 'spamreport' | 'deferred',
    ): Record<string, unknown> {
      const base = {
        email,
        timestamp: Math.floor(Date.now() / 1000),
        'smtp-id': `<${randomUUID()}@example.test>`,
        sg_event_id: randomUUID(),
        sg_message_id: `${xMessageId}.filterdrecv-5bd6b8c6c8-abcde-1-64B469D2-9.0`,
        category: ['auth'],
      };
      switch (kind) {
        case 'delivered':
          return { ...base, event: 'delivered', response: '250 OK' };
        case 'deferred':
          return { ...base, event: 'deferred', response: '400 try again later', attempt: '1' };
        case 'spamreport':
          return { ...base, event: 'spamreport' };
        case 'blocked':
          return {
            ...base,
            event: 'bounce',
            type: 'blocked',
            reason: '421 4.7.0 temporarily deferred',
            status: '4.7.0',
            bounce_classification: 'Reputation',
          };
        default:
          return {
            ...base,
            event: 'bounce',
            type: 'bounce',
            reason: '550 5.1.1 The email account does not exist.',
            status: '5.1.1',
            bounce_classification: 'Invalid Address',
          };
      }
    },
    sign(timestamp: string, body: string): string {
      return sign('sha256', Buffer.from(timestamp + body, 'utf8'), privateKey).toString('base64');
    },
    /** POSTs a batch, signed unless told otherwise. */
    deliver(url: string, events: unknown[], o: { timestamp?: number; signature?: string; unsigned?: boolean } = {}) {
      const body = JSON.stringify(events);
      const ts = String(o.timestamp ?? Math.floor(Date.now() / 1000));
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'user-agent': 'SendGrid Event API',
      };
      if (!o.unsigned) {
        headers['x-twilio-email-event-webhook-timestamp'] = ts;
        headers['x-twilio-email-event-webhook-signature'] = o.signature ?? this.sign(ts, body);
      }
      return postEvent(url, body, headers);
    },
  };
}
