import { createHash, verify } from 'node:crypto';
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
import type { SendgridConfig } from './schema.js';
import { sendgridPublicKey } from './public-key.js';

export { sendgridPublicKey };

const SIGNATURE = 'x-twilio-email-event-webhook-signature';
const TIMESTAMP = 'x-twilio-email-event-webhook-timestamp';

/**
 * SendGrid's Signed Event Webhook: ECDSA P-256 / SHA-256 (DER signature) over the bytes of
 * timestamp + raw body. The body is a JSON array of events.
 */
export async function parseSendgridEvents(
  req: ProviderEventRequest,
  config: SendgridConfig,
  ctx: ProviderEventContext,
): Promise<ParsedProviderEvents> {
  const key = config.eventWebhookPublicKey ? sendgridPublicKey(config.eventWebhookPublicKey) : null;
  if (!key)
    throw new EventRejection(
      'not_configured',
      'Set eventWebhookPublicKey (Mail Settings → Signed Event Webhook) on the SendGrid connector before sending events.',
    );
  const signature = req.headers[SIGNATURE];
  const timestamp = req.headers[TIMESTAMP];
  if (!signature || !timestamp)
    throw new EventRejection('missing_signature', 'The request is not signed (Signed Event Webhook headers missing).');
  assertFreshTimestamp(timestamp, ctx.now);
  const ok = verify(
    'sha256',
    Buffer.concat([Buffer.from(timestamp, 'utf8'), req.rawBody]),
    key,
    Buffer.from(signature, 'base64'),
  );
  if (!ok)
    throw new EventRejection('invalid_signature', 'The event webhook signature does not match the verification key.');
  const body = parseJsonBody(req.rawBody);
  if (!Array.isArray(body))
    throw new EventRejection('malformed', 'SendGrid posts a JSON array of events.', [
      { path: 'body', message: 'expected an array' },
    ]);
  const events: ProviderEvent[] = [];
  for (const e of body) {
    if (!isRecord(e)) continue;
    const normal = normalise(e);
    // sg_message_id is the X-Message-Id the send returned, followed by ".filter…".
    const messageId = str(e.sg_message_id)?.split('.')[0];
    const recipient = str(e.email);
    if (!normal || !messageId || !recipient) continue;
    const reason = str(e.reason) ?? str(e.response);
    events.push({
      ...normal,
      providerMessageId: messageId,
      recipient,
      at: isoTime(e.timestamp, ctx.now),
      ...(reason ? { detail: reason.slice(0, 500) } : {}),
      ...(str(e.sg_event_id) ? { eventId: str(e.sg_event_id)! } : {}),
    });
  }
  // The same signed request must not count twice; SendGrid re-signs its retries.
  return { events, replayKey: createHash('sha256').update(signature).digest('base64url') };
}

function normalise(e: Record<string, unknown>): Pick<ProviderEvent, 'type' | 'bounceType'> | undefined {
  switch (e.event) {
    case 'delivered':
      return { type: 'delivered' };
    case 'deferred':
      return { type: 'delayed' };
    case 'bounce':
      // "blocked" is a temporary refusal by the receiver; "bounce" is permanent.
      return { type: 'bounced', bounceType: e.type === 'blocked' ? 'soft' : 'hard' };
    case 'spamreport':
      return { type: 'complained' };
    case 'dropped': {
      const reason = str(e.reason) ?? '';
      if (/spam report/i.test(reason)) return { type: 'complained' };
      return { type: 'bounced', bounceType: /^(bounced address|invalid)/i.test(reason) ? 'hard' : 'soft' };
    }
    default:
      return undefined;
  }
}
