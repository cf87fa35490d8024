import { createHmac, timingSafeEqual } from 'node:crypto';
import { assertFreshTimestamp, EventRejection, type ProviderEventRequest } from '@postern/connector-kit';

/**
 * Verifies a Standard Webhooks (or Svix: `svix-` header prefix) signature: `v1,` + base64
 * HMAC-SHA256 of `${id}.${timestamp}.${raw body}` keyed with the secret's decoded bytes.
 * Returns the message id, which the caller uses as the replay key.
 */
export function verifyStandardWebhook(
  req: ProviderEventRequest,
  key: Buffer,
  now: Date,
  prefixes: readonly string[] = ['webhook-'],
): string {
  const prefix = prefixes.find((p) => req.headers[`${p}id`] !== undefined) ?? prefixes[0]!;
  const id = req.headers[`${prefix}id`];
  const timestamp = req.headers[`${prefix}timestamp`];
  const signatures = req.headers[`${prefix}signature`];
  if (!id || !timestamp || !signatures)
    throw new EventRejection(
      'missing_signature',
      `The ${prefix}id, ${prefix}timestamp and ${prefix}signature headers are required.`,
    );
  assertFreshTimestamp(timestamp, now, `${prefix}timestamp`);
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(req.rawBody).digest();
  for (const part of signatures.split(' ')) {
    const [version, value] = part.split(',', 2);
    if (version !== 'v1' || !value) continue;
    const given = Buffer.from(value, 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return id;
  }
  throw new EventRejection('invalid_signature', 'The webhook signature does not match the signing secret.');
}
