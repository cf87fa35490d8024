import { secret, z } from '@postern/connector-kit';
import { decodeSigningSecret } from '../http/schema.js';
import { baseUrl, fromEmail, fromName, replyTo } from '../_provider/schema.js';

export const RESEND_BASE_URL = 'https://api.resend.com';

export const resendConfigSchema = z.strictObject({
  apiKey: secret(z.string().trim().min(1).describe('A Resend API key with sending access (re_…).')),
  fromEmail: fromEmail(),
  fromName: fromName(),
  replyTo: replyTo(),
  baseUrl: baseUrl(RESEND_BASE_URL),
  webhookSecret: secret(
    z
      .string()
      .trim()
      .refine((s) => decodeSigningSecret(s) !== null, 'the whsec_… signing secret Resend shows for the webhook')
      .describe('Signing secret of the Resend webhook (Webhooks → your endpoint), for bounces and complaints.'),
  ).optional(),
});

export type ResendConfig = z.output<typeof resendConfigSchema>;
