import {
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
import { verifyStandardWebhook } from '../_provider/standard-webhooks.js';
import { decodeSigningSecret } from '../http/schema.js';
import type { ResendConfig } from './schema.js';

/** Resend signs through Svix: Standard Webhooks with `svix-` headers (`webhook-` on white-label accounts). */
export async function parseResendEvents(
  req: ProviderEventRequest,
  config: ResendConfig,
  ctx: ProviderEventContext,
): Promise<ParsedProviderEvents> {
  const key = config.webhookSecret ? decodeSigningSecret(config.webhookSecret) : null;
  if (!key)
    throw new EventRejection(
      'not_configured',
      'Set webhookSecret (Webhooks → your endpoint → Signing secret) on the Resend connector before sending events.',
    );
  const id = verifyStandardWebhook(req, key, ctx.now, ['svix-', 'webhook-']);
  const body = parseJsonBody(req.rawBody);
  if (!isRecord(body))
    throw new EventRejection('malformed', 'Resend posts a JSON object.', [
      { path: 'body', message: 'expected an object' },
    ]);
  const data = isRecord(body.data) ? body.data : undefined;
  const emailId = str(data?.email_id);
  const normal = normalise(body.type, data);
  const recipients = Array.isArray(data?.to)
    ? data.to.filter((t): t is string => typeof t === 'string' && t.length > 0)
    : typeof data?.to === 'string'
      ? [data.to]
      : [];
  const events: ProviderEvent[] = [];
  if (normal && emailId) {
    for (const recipient of recipients) {
      events.push({
        ...normal,
        providerMessageId: emailId,
        recipient,
        at: isoTime(body.created_at, ctx.now),
        eventId: `${id}:${recipient}`,
      });
    }
  }
  return { events, replayKey: id };
}

function normalise(
  type: unknown,
  data: Record<string, unknown> | undefined,
): Pick<ProviderEvent, 'type' | 'bounceType' | 'detail'> | undefined {
  switch (type) {
    case 'email.delivered':
      return { type: 'delivered' };
    case 'email.delivery_delayed':
      return { type: 'delayed' };
    case 'email.complained':
      return { type: 'complained' };
    case 'email.bounced': {
      const bounce = isRecord(data?.bounce) ? data.bounce : {};
      const message = str(bounce.message);
      return {
        type: 'bounced',
        bounceType: bounce.type === 'Permanent' ? 'hard' : 'soft',
        ...(message ? { detail: message.slice(0, 500) } : {}),
      };
    }
    default:
      return undefined;
  }
}
