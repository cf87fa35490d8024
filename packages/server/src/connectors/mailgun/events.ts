import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  assertFreshTimestamp,
  EventRejection,
  isoTime,
  isRecord,
  parseJsonBody,
  str,
  type ParsedProviderEvents,
  type ProviderEvent,
  type ProviderEventContext,
  type ProviderEventRequest,
} from '@postern/connector-kit';
import type { MailgunConfig } from './schema.js';

/**
 * Mailgun's JSON webhooks: `signature.signature` is hex HMAC-SHA256, keyed with the HTTP
 * webhook signing key, of timestamp + token. The token is single-use.
 */
export async function parseMailgunEvents(
  req: ProviderEventRequest,
  config: MailgunConfig,
  ctx: ProviderEventContext,
): Promise<ParsedProviderEvents> {
  if (!config.webhookSigningKey)
    throw new EventRejection(
      'not_configured',
      'Set webhookSigningKey (Sending → Webhooks → HTTP webhook signing key) on the Mailgun connector before sending events.',
    );
  const body = parseJsonBody(req.rawBody);
  if (!isRecord(body))
    throw new EventRejection('malformed', 'Mailgun posts a JSON object.', [
      { path: 'body', message: 'expected an object' },
    ]);
  const sig = isRecord(body.signature) ? body.signature : undefined;
  const timestamp = str(sig?.timestamp);
  const token = str(sig?.token);
  const signature = str(sig?.signature);
  if (!timestamp || !token || !signature)
    throw new EventRejection('missing_signature', 'The request has no signature {timestamp, token, signature}.');
  assertFreshTimestamp(timestamp, ctx.now, 'signature timestamp');
  const expected = createHmac('sha256', config.webhookSigningKey)
    .update(timestamp + token)
    .digest();
  const given = /^[0-9a-f]{64}$/i.test(signature) ? Buffer.from(signature, 'hex') : Buffer.alloc(0);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new EventRejection('invalid_signature', 'The signature does not match the webhook signing key.');
  const data = isRecord(body['event-data']) ? body['event-data'] : undefined;
  const events: ProviderEvent[] = [];
  const normal = data ? normalise(data) : undefined;
  const message = data && isRecord(data.message) ? data.message : undefined;
  const headers = message && isRecord(message.headers) ? message.headers : undefined;
  const messageId = str(headers?.['message-id']);
  const recipient = str(data?.recipient);
  if (data && normal && messageId && recipient) {
    const status = isRecord(data['delivery-status']) ? data['delivery-status'] : undefined;
    const detail = str(status?.description) ?? str(status?.message) ?? str(data.reason);
    events.push({
      ...normal,
      providerMessageId: messageId,
      recipient,
      at: isoTime(data.timestamp, ctx.now),
      ...(detail ? { detail: detail.slice(0, 500) } : {}),
      ...(str(data.id) ? { eventId: str(data.id)! } : {}),
    });
  }
  return { events, replayKey: token };
}

function normalise(d: Record<string, unknown>): Pick<ProviderEvent, 'type' | 'bounceType'> | undefined {
  switch (d.event) {
    case 'delivered':
      return { type: 'delivered' };
    case 'complained':
      return { type: 'complained' };
    case 'failed':
      // Temporary failures are retried by Mailgun; a permanent one that only means
      // "gave up retrying" (reason "old") says nothing final about the address.
      if (d.severity === 'permanent' && d.reason !== 'old') return { type: 'bounced', bounceType: 'hard' };
      return { type: 'bounced', bounceType: 'soft' };
    default:
      return undefined;
  }
}
