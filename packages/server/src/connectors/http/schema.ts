import { destination, z, secret } from '@postern/connector-kit';
import { httpUrl } from '../_provider/schema.js';

const SIGNING_SECRET_PREFIX = 'whsec_';

/** The key bytes of a `whsec_…` secret, or null when it is not of the Standard Webhooks form. */
export function decodeSigningSecret(value: string): Buffer | null {
  if (!value.startsWith(SIGNING_SECRET_PREFIX)) return null;
  const b64 = value.slice(SIGNING_SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return null;
  const bytes = Buffer.from(b64, 'base64');
  // Canonical base64 only, so that every Standard Webhooks library decodes the same key.
  if (bytes.toString('base64') !== b64) return null;
  return bytes.length >= 24 && bytes.length <= 64 ? bytes : null;
}

const noLineBreaks = (s: string) => !/[\r\n]/.test(s);

export const httpConfigSchema = z.strictObject({
  /** Where every message is POSTed. */
  endpoint: destination(httpUrl()),
  /** Sent verbatim as the Authorization header, e.g. `Bearer …`. */
  authorization: secret(z.string().min(1).max(4096).refine(noLineBreaks, 'must not contain line breaks')).optional(),
  /** Standard Webhooks secret: `whsec_` + base64 of 24–64 random bytes. */
  signingSecret: secret(
    z.string().refine((s) => decodeSigningSecret(s) !== null, 'must be whsec_ followed by base64 of 24 to 64 bytes'),
  ).optional(),
  /** How long one delivery attempt may take, in milliseconds. */
  timeoutMs: z.number().int().min(100).max(60_000).default(10_000),
});

export type HttpConfig = z.output<typeof httpConfigSchema>;
