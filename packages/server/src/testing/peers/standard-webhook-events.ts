/**
 * Resend's side of its webhooks (Svix) and an HTTP-connector receiver reporting events:
 * both sign with Standard Webhooks, here through the `standardwebhooks` package, so the
 * signature is made by an implementation independent of Postern's. Svix sends the same
 * headers with the `svix-` prefix.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { postEvent } from './events-post.js';

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

export function deliverStandardWebhook(
  url: string,
  secret: string,
  payload: unknown,
  o: { prefix?: 'svix-' | 'webhook-'; id?: string; timestamp?: Date; unsigned?: boolean } = {},
) {
  const id = o.id ?? `msg_${randomUUID().replace(/-/g, '')}`;
  const at = o.timestamp ?? new Date();
  const body = JSON.stringify(payload);
  const prefix = o.prefix ?? 'webhook-';
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (!o.unsigned) {
    headers[`${prefix}id`] = id;
    headers[`${prefix}timestamp`] = String(Math.floor(at.getTime() / 1000));
    headers[`${prefix}signature`] = new Webhook(secret).sign(id, at, body);
  }
  return postEvent(url, body, headers);
}

/** Resend webhook payloads; `emailId` is the id the send answered with. */
export const resendEvents = {
  event(
    emailId: string,
    to: string,
    type: 'email.delivered' | 'email.bounced' | 'email.complained' | 'email.delivery_delayed',
    bounceType: 'Permanent' | 'Transient' = 'Permanent',
  ) {
    return {
      type,
      created_at: new Date().toISOString(),
      data: {
        created_at: new Date().toISOString(),
        email_id: emailId,
        from: 'Auth <auth@example.test>',
        to: [to],
        subject: 'Your code',
        ...(type === 'email.bounced'
          ? {
              bounce: {
                message: bounceType === 'Permanent' ? 'The recipient does not exist.' : 'Mailbox full.',
                subType: bounceType === 'Permanent' ? 'General' : 'MailboxFull',
                type: bounceType,
              },
            }
          : {}),
      },
    };
  },
};
