import { readConnectorFile, defineConnector, resolveSender, type EmailMessage } from '@postern/connector-kit';
import { createHttpClient, stringField } from '@postern/connector-kit';
import { parseResendEvents } from './events.js';
import { resendError } from './errors.js';
import { resendConfigSchema, RESEND_BASE_URL, type ResendConfig } from './schema.js';

// The console shows these; they are read from the files beside this module (copied to dist by the build).
const readme = readConnectorFile(import.meta.url, 'README.md');
const logo = readConnectorFile(import.meta.url, 'logo.svg');

export function resendEmailBody(config: ResendConfig, message: EmailMessage): Record<string, unknown> {
  const sender = resolveSender(message, config);
  const body: Record<string, unknown> = {
    from: sender.formatted,
    to: [message.to],
    subject: message.subject,
    html: message.html,
  };
  if (message.text) body.text = message.text;
  if (sender.replyTo) body.reply_to = sender.replyTo;
  if (Object.keys(message.headers).length > 0) body.headers = message.headers;
  return body;
}

export default defineConnector<ResendConfig>({
  id: 'resend',
  name: 'Resend',
  description: 'Send through the Resend Emails API.',
  logo,
  readme,
  configSchema: resendConfigSchema,
  capabilities: { customTemplates: true, providerTemplates: false, customSender: true },
  parseEvents: parseResendEvents,
  create(config, ctx) {
    const secrets = [config.apiKey];
    const client = createHttpClient({
      provider: 'Resend',
      fetch: ctx.fetch,
      baseUrl: config.baseUrl ?? RESEND_BASE_URL,
      headers: {
        authorization: `Bearer ${config.apiKey}`,
        'content-type': 'application/json',
        accept: 'application/json',
      },
    });
    return {
      async send(message, { signal }) {
        // The delivery id is the same across retries, so a retry after a lost answer is not a second email.
        const res = await client.request('/emails', {
          body: JSON.stringify(resendEmailBody(config, message)),
          headers: { 'idempotency-key': message.id },
          signal,
        });
        if (res.status === 200 || res.status === 201) return { providerMessageId: stringField(res.json, 'id') ?? null };
        throw resendError(res, secrets);
      },
    };
  },
});
