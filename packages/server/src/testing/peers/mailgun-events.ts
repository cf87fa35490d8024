/**
 * Mailgun's side of its JSON webhooks: each POST carries `signature: {timestamp, token,
 * signature}` where signature = hex HMAC-SHA256(webhook signing key, timestamp + token),
 * with a fresh 50-character token, beside the `event-data`.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { postEvent } from './events-post.js';

export function createMailgunWebhooks() {
  const signingKey = randomBytes(16).toString('hex');
  return {
    signingKey,
    /** `event-data` as Mailgun sends it; `messageId` is the send's id (Mailgun drops the angle brackets here). */
    eventData(
      messageId: string,
      recipient: string,
      kind: 'delivered' | 'permanent' | 'temporary' | 'complained',
    ): Record<string, unknown> {
      const base = {
        id: randomUUID(),
        timestamp: Date.now() / 1000,
        'log-level': kind === 'delivered' ? 'info' : kind === 'temporary' ? 'warn' : 'error',
        recipient,
        'recipient-domain': recipient.split('@')[1],
        message: {
          headers: {
            'message-id': messageId.replace(/^<|>$/g, ''),
            from: 'auth@mg.example.test',
            to: recipient,
            subject: 'Your code',
          },
          attachments: [],
          size: 1234,
        },
        envelope: {
          sender: 'auth@mg.example.test',
          targets: recipient,
          transport: 'smtp',
          'sending-ip': '198.51.100.1',
        },
        tags: [],
        'user-variables': {},
      };
      switch (kind) {
        case 'delivered':
          return {
            ...base,
            event: 'delivered',
            'delivery-status': { code: 250, message: 'OK', description: '', 'attempt-no': 1, tls: true },
          };
        case 'complained':
          return { ...base, event: 'complained' };
        case 'temporary':
          return {
            ...base,
            event: 'failed',
            severity: 'temporary',
            reason: 'generic',
            'delivery-status': {
              code: 452,
              message: '4.2.2 mailbox full',
              description: 'mailbox full',
              'attempt-no': 1,
              'retry-seconds': 600,
            },
          };
        default:
          return {
            ...base,
            event: 'failed',
            severity: 'permanent',
            reason: 'bounce',
            'delivery-status': {
              code: 550,
              message: '5.1.1 user unknown',
              description: 'The email account does not exist',
              'attempt-no': 1,
              'bounce-type': 'hard',
            },
          };
      }
    },
    signature(timestamp: string, token: string, key = signingKey): string {
      return createHmac('sha256', key)
        .update(timestamp + token)
        .digest('hex');
    },
    deliver(
      url: string,
      eventData: unknown,
      o: { timestamp?: number; token?: string; key?: string; unsigned?: boolean } = {},
    ) {
      const timestamp = String(o.timestamp ?? Math.floor(Date.now() / 1000));
      const token = o.token ?? randomBytes(25).toString('hex');
      const body = o.unsigned
        ? { 'event-data': eventData }
        : {
            signature: { timestamp, token, signature: this.signature(timestamp, token, o.key) },
            'event-data': eventData,
          };
      return postEvent(url, JSON.stringify(body), {
        'content-type': 'application/json',
        'user-agent': 'mailgun/treq-16.12.0',
      });
    },
  };
}
