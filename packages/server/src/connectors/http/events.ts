import {
  EventRejection,
  isoTime,
  parseJsonBody,
  type ParsedProviderEvents,
  type ProviderEventContext,
  type ProviderEventRequest,
} from '@postern/connector-kit';
import { z } from 'zod';
import { verifyStandardWebhook } from '../_provider/standard-webhooks.js';
import { decodeSigningSecret, type HttpConfig } from './schema.js';

/** What your receiver reports (SPEC §16); other fields are ignored. */
const HttpEvent = z.object({
  messageId: z.string().min(1).max(256),
  event: z.enum(['delivered', 'delayed', 'bounced', 'complained']),
  recipient: z.string().min(3).max(320),
  bounceType: z.enum(['hard', 'soft']).optional(),
  reason: z.string().max(1000).optional(),
  at: z.string().max(64).optional(),
});

/** Events from your own receiver, signed with the connector's signingSecret (Standard Webhooks). */
export async function parseHttpEvents(
  req: ProviderEventRequest,
  config: HttpConfig,
  ctx: ProviderEventContext,
): Promise<ParsedProviderEvents> {
  const key = config.signingSecret ? decodeSigningSecret(config.signingSecret) : null;
  if (!key)
    throw new EventRejection(
      'not_configured',
      'Set signingSecret on the HTTP connector: events are accepted only when signed with it.',
    );
  const id = verifyStandardWebhook(req, key, ctx.now);
  const r = HttpEvent.safeParse(parseJsonBody(req.rawBody));
  if (!r.success) {
    throw new EventRejection(
      'malformed',
      'The event must be {messageId, event: "delivered"|"delayed"|"bounced"|"complained", recipient, bounceType?, reason?}.',
      r.error.issues.map((i) => ({ path: i.path.map(String).join('.') || 'body', message: i.message })),
    );
  }
  const e = r.data;
  return {
    events: [
      {
        type: e.event,
        // A bounce is permanent unless the receiver says it was soft.
        ...(e.event === 'bounced' ? { bounceType: e.bounceType ?? 'hard' } : {}),
        providerMessageId: e.messageId,
        recipient: e.recipient,
        at: isoTime(e.at, ctx.now),
        eventId: id,
        ...(e.reason ? { detail: e.reason.slice(0, 500) } : {}),
      },
    ],
    replayKey: id,
  };
}
