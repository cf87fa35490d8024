import { readConnectorFile, defineConnector, resolveSender, type EmailMessage } from '@postern/connector-kit';
import { createHttpClient } from '@postern/connector-kit';
import { parseSendgridEvents } from './events.js';
import { sendgridError } from './errors.js';
import { sendgridBaseUrl, sendgridConfigSchema, type SendgridConfig } from './schema.js';

// The console shows these; they are read from the files beside this module (copied to dist by the build).
const readme = readConnectorFile(import.meta.url, 'README.md');
const logo = readConnectorFile(import.meta.url, 'logo.svg');

/** The v3 Mail Send body: the dynamic template with the variables when one is configured. */
export function sendgridMailBody(config: SendgridConfig, message: EmailMessage): Record<string, unknown> {
  const sender = resolveSender(message, config);
  const templateId = config.templateIds?.[message.templateType];
  const personalization: Record<string, unknown> = { to: [{ email: message.to }] };
  const body: Record<string, unknown> = {
    personalizations: [personalization],
    from: sender.name ? { email: sender.email, name: sender.name } : { email: sender.email },
  };
  if (sender.replyTo) body.reply_to = { email: sender.replyTo };
  if (templateId) {
    body.template_id = templateId;
    personalization.dynamic_template_data = message.variables;
  } else {
    body.subject = message.subject;
    // SendGrid requires text/plain before text/html, and refuses empty values.
    body.content = [
      ...(message.text ? [{ type: 'text/plain', value: message.text }] : []),
      { type: 'text/html', value: message.html },
    ];
  }
  if (Object.keys(message.headers).length > 0) body.headers = message.headers;
  return body;
}

export default defineConnector<SendgridConfig>({
  id: 'sendgrid',
  name: 'SendGrid',
  description: 'Send through the SendGrid v3 Mail Send API, with optional dynamic templates.',
  logo,
  readme,
  configSchema: sendgridConfigSchema,
  capabilities: { customTemplates: true, providerTemplates: true, customSender: true },
  parseEvents: parseSendgridEvents,
  create(config, ctx) {
    const secrets = [config.apiKey];
    const client = createHttpClient({
      provider: 'SendGrid',
      fetch: ctx.fetch,
      baseUrl: sendgridBaseUrl(config),
      headers: {
        authorization: `Bearer ${config.apiKey}`,
        'content-type': 'application/json',
        accept: 'application/json',
      },
    });
    return {
      async send(message, { signal }) {
        const res = await client.request('/v3/mail/send', {
          body: JSON.stringify(sendgridMailBody(config, message)),
          signal,
        });
        if (res.status === 202 || res.status === 200) return { providerMessageId: res.headers.get('x-message-id') };
        throw sendgridError(res, secrets);
      },
    };
  },
});
