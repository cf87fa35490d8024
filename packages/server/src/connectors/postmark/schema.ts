import { secret, z } from '@postern/connector-kit';
import { baseUrl, fromEmail, fromName, replyTo, templateMap } from '../_provider/schema.js';

export const POSTMARK_BASE_URL = 'https://api.postmarkapp.com';

export const postmarkConfigSchema = z.strictObject({
  serverToken: secret(
    z.string().trim().min(1).describe('The Server API token of the Postmark server (Server → API Tokens).'),
  ),
  fromEmail: fromEmail(),
  fromName: fromName(),
  replyTo: replyTo(),
  messageStream: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .default('outbound')
    .describe('The transactional message stream id; "outbound" is the default stream.'),
  templateAliases: templateMap('Postmark template alias'),
  baseUrl: baseUrl(POSTMARK_BASE_URL),
});

export type PostmarkConfig = z.output<typeof postmarkConfigSchema>;
