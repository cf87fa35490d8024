import { destination, isSingleLineText, secret, SINGLE_LINE_MESSAGE, z } from '@postern/connector-kit';
import { httpUrl } from '../_provider/schema.js';

const hostname = z
  .string()
  .min(1)
  .max(253)
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._:-]+)$/, 'must be a host name or an IP address');
const user = z
  .string()
  .min(1)
  .max(512)
  .refine(isSingleLineText, SINGLE_LINE_MESSAGE);

const noAuth = z.strictObject({ type: z.literal('none') });
const loginAuth = z.strictObject({
  type: z.literal('login'),
  user,
  pass: secret(z.string().min(1).max(1024)),
  /** Forces one SASL mechanism; by default the best one the server offers is used. */
  method: z.enum(['PLAIN', 'LOGIN']).optional(),
});
const oauth2Auth = z.strictObject({
  type: z.literal('oauth2'),
  user,
  clientId: z.string().min(1).max(1024),
  clientSecret: secret(z.string().min(1).max(4096)),
  refreshToken: secret(z.string().min(1).max(8192)),
  /** The provider's token endpoint, e.g. `https://oauth2.googleapis.com/token`. */
  accessUrl: destination(httpUrl()),
});

const timeout = (fallback: number) => z.number().int().min(100).max(600_000).default(fallback);

export const smtpConfigSchema = z.strictObject({
  host: destination(hostname),
  port: destination(z.number().int().min(1).max(65_535).default(587)),
  /** Implicit TLS from the first byte (usually port 465). */
  secure: z.boolean().default(false),
  /** Refuse to send unless the server upgrades the connection with STARTTLS. */
  requireTLS: z.boolean().default(false),
  /** Absent or `{type:"none"}` sends without authenticating. */
  auth: z.discriminatedUnion('type', [noAuth, loginAuth, oauth2Auth]).optional(),
  fromEmail: z.email(),
  fromName: z
    .string()
    .max(200)
    .refine(isSingleLineText, SINGLE_LINE_MESSAGE)
    .optional(),
  replyTo: z.email().optional(),
  tls: z
    .strictObject({
      /** Leave on: turning it off lets anyone on the path read the mail and the password. */
      rejectUnauthorized: destination(z.boolean().optional()),
      /** PEM certificate(s) of a private CA (or the server's own certificate) to trust. */
      ca: destination(
        z
          .string()
          .max(100_000)
          .regex(/-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/, 'must be a PEM certificate')
          .optional(),
      ),
      /** The name to check the certificate against when `host` is an IP address. */
      servername: destination(
        z
          .string()
          .min(1)
          .max(253)
          .regex(/^[A-Za-z0-9._-]+$/, 'must be a host name')
          .optional(),
      ),
    })
    .optional(),
  /** Sign every message with a stored DKIM key (SPEC §12). */
  dkim: z.strictObject({ keyId: z.string().min(1).max(200) }).optional(),
  connectionTimeoutMs: timeout(10_000),
  greetingTimeoutMs: timeout(10_000),
  socketTimeoutMs: timeout(30_000),
  pool: z
    .strictObject({
      maxConnections: z.number().int().min(1).max(50).default(5),
      /** Messages sent over one connection before it is replaced. */
      maxMessages: z.number().int().min(1).max(10_000).default(100),
    })
    .prefault({}),
});

export type SmtpConfig = z.output<typeof smtpConfigSchema>;
export type SmtpAuth = NonNullable<SmtpConfig['auth']>;
