import { destination, secret, z } from '@postern/connector-kit';
import { baseUrl, fromEmail, fromName, replyTo, templateMap } from '../_provider/schema.js';

export const MAILGUN_BASE_URLS = { us: 'https://api.mailgun.net', eu: 'https://api.eu.mailgun.net' } as const;

export const mailgunConfigSchema = z.strictObject({
  apiKey: secret(z.string().trim().min(1).describe('A Mailgun API key (account key or a domain sending key).')),
  domain: destination(
    z
      .string()
      .trim()
      .toLowerCase()
      .regex(
        /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
        'a domain name such as mg.example.com',
      )
      .describe('The sending domain as listed under Sending → Domains, e.g. mg.example.com.'),
  ),
  region: destination(
    z
      .enum(['us', 'eu'])
      .default('us')
      .describe('Where the domain was created: "us" (api.mailgun.net) or "eu" (api.eu.mailgun.net).'),
  ),
  fromEmail: fromEmail(),
  fromName: fromName(),
  replyTo: replyTo(),
  templates: templateMap('Mailgun template name'),
  baseUrl: baseUrl(MAILGUN_BASE_URLS.us),
  webhookSigningKey: secret(
    z
      .string()
      .trim()
      .min(1)
      .max(200)
      .describe('The HTTP webhook signing key (Sending → Webhooks), for bounces and complaints.'),
  ).optional(),
});

export type MailgunConfig = z.output<typeof mailgunConfigSchema>;

/** The API address: `baseUrl` when set, else the region's. */
export function mailgunBaseUrl(config: Pick<MailgunConfig, 'region' | 'baseUrl'>): string {
  return config.baseUrl ?? MAILGUN_BASE_URLS[config.region];
}
