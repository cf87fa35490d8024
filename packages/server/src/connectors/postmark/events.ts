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

/** Bounce types that say the address itself is bad (Postmark deactivates it too). */
const HARD = new Set(['HardBounce', 'BadEmailAddress', 'ManuallyDeactivated']);

/**
 * Postmark signs nothing: its webhooks carry the basic-auth credentials that Postern
 * generated for this connector (in the URL pasted at Postmark). One record per request.
 */
export async function parsePostmarkEvents(
  req: ProviderEventRequest,
  _config: unknown,
  ctx: ProviderEventContext,
): Promise<ParsedProviderEvents> {
  const auth = req.headers.authorization;
  const m = auth ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(auth) : null;
  if (!m)
    throw new EventRejection(
      'missing_signature',
      'The request carries no basic-auth credentials; paste the events URL with its credentials at Postmark.',
    );
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (
    colon < 0 ||
    !ctx.checkBasicAuth ||
    !(await ctx.checkBasicAuth(decoded.slice(0, colon), decoded.slice(colon + 1)))
  ) {
    throw new EventRejection(
      'invalid_signature',
      'The basic-auth credentials are wrong; make new ones and update the webhook at Postmark.',
    );
  }
  const body = parseJsonBody(req.rawBody);
  if (!isRecord(body))
    throw new EventRejection('malformed', 'Postmark posts a JSON object.', [
      { path: 'body', message: 'expected an object' },
    ]);
  const messageId = str(body.MessageID);
  const ev = messageId ? normalise(body, messageId, ctx.now) : undefined;
  return { events: ev ? [ev] : [] };
}

function normalise(b: Record<string, unknown>, providerMessageId: string, now: Date): ProviderEvent | undefined {
  const id = typeof b.ID === 'number' || typeof b.ID === 'string' ? String(b.ID) : undefined;
  switch (b.RecordType) {
    case 'Delivery': {
      const recipient = str(b.Recipient);
      if (!recipient) return undefined;
      return {
        type: 'delivered',
        providerMessageId,
        recipient,
        at: isoTime(b.DeliveredAt, now),
        eventId: `delivery:${providerMessageId}:${recipient}`,
        ...(str(b.Details) ? { detail: str(b.Details)!.slice(0, 500) } : {}),
      };
    }
    case 'Bounce': {
      const recipient = str(b.Email);
      if (!recipient) return undefined;
      const detail = str(b.Description) ?? str(b.Details);
      const common = {
        providerMessageId,
        recipient,
        at: isoTime(b.BouncedAt, now),
        ...(id ? { eventId: `bounce:${id}` } : {}),
        ...(detail ? { detail: detail.slice(0, 500) } : {}),
      };
      if (b.Type === 'SpamComplaint') return { type: 'complained', ...common };
      return { type: 'bounced', bounceType: HARD.has(String(b.Type)) ? 'hard' : 'soft', ...common };
    }
    case 'SpamComplaint': {
      const recipient = str(b.Email);
      if (!recipient) return undefined;
      return {
        type: 'complained',
        providerMessageId,
        recipient,
        at: isoTime(b.BouncedAt, now),
        ...(id ? { eventId: `complaint:${id}` } : {}),
      };
    }
    default:
      return undefined;
  }
}
