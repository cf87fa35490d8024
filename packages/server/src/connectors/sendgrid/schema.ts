import { destination, secret, z } from '@postern/connector-kit';
import { sendgridPublicKey } from './public-key.js';
import { baseUrl, fromEmail, fromName, replyTo, templateMap } from '../_provider/schema.js';

export const SENDGRID_BASE_URLS = { global: 'https://api.sendgrid.com', eu: 'https://api.eu.sendgrid.com' } as const;

export const sendgridConfigSchema = z.strictObject({
  apiKey: secret(z.string().trim().min(1).describe('A SendGrid API key with the Mail Send permission (SG.…).')),
  fromEmail: fromEmail(),
  fromName: fromName(),
  replyTo: replyTo(),
  templateIds: templateMap('SendGrid dynamic template id (d-…)'),
  region: destination(
    z
      .enum(['global', 'eu'])
      .default('global')
      .describe('Data residency: "eu" for EU subusers, which must use api.eu.sendgrid.com.'),
  ),
  baseUrl: baseUrl(SENDGRID_BASE_URLS.global),
  eventWebhookPublicKey: z
    .string()
    .trim()
    .refine(
      (v) => sendgridPublicKey(v) !== null,
      'the base64 public key SendGrid shows (MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE…)',
    )
    .optional()
    .describe(
      'Verification key of the Signed Event Webhook (Settings → Mail Settings → Event Webhook), for bounces and complaints.',
    ),
});

export type SendgridConfig = z.output<typeof sendgridConfigSchema>;

/** The API address: `baseUrl` when set, else the region's. */
export function sendgridBaseUrl(config: Pick<SendgridConfig, 'region' | 'baseUrl'>): string {
  return config.baseUrl ?? SENDGRID_BASE_URLS[config.region];
}
