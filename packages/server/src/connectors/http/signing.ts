import { createHmac, randomBytes } from 'node:crypto';
import { decodeSigningSecret } from './schema.js';

/** A new Standard Webhooks secret: `whsec_` + base64 of 32 random bytes. */
export function generateSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * The Standard Webhooks headers for one request: `v1,` + base64 HMAC-SHA256 of
 * `${id}.${timestamp}.${body}`, keyed with the secret's decoded bytes.
 */
export function webhookHeaders(signingSecret: string, id: string, timestampSeconds: number, body: string): Record<string, string> {
  const key = decodeSigningSecret(signingSecret);
  if (!key) throw new Error('signingSecret is not a whsec_ secret'); // the schema refuses these
  const signature = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': `v1,${signature}`,
  };
}
