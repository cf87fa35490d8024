import { readConnectorFile, defineConnector, resolveSender, type EmailMessage } from '@postern/connector-kit';
import { createHttpClient, stringField } from '@postern/connector-kit';
import { parseMailgunEvents } from './events.js';
import { mailgunError } from './errors.js';
import { mailgunBaseUrl, mailgunConfigSchema, type MailgunConfig } from './schema.js';

// The console shows these; they are read from the files beside this module (copied to dist by the build).
const readme = readConnectorFile(import.meta.url, 'README.md');
const logo = readConnectorFile(import.meta.url, 'logo.svg');

/** The form fields of `POST /v3/{domain}/messages`: the stored template with variables when configured. */
export function mailgunForm(config: MailgunConfig, message: EmailMessage): URLSearchParams {
  const sender = resolveSender(message, config);
  const form = new URLSearchParams({ from: sender.formatted, to: message.to, subject: message.subject });
  const template = config.templates?.[message.templateType];
  if (template) {
    form.set('template', template);
    form.set('h:X-Mailgun-Variables', JSON.stringify(message.variables));
  } else {
    if (message.text) form.set('text', message.text);
    form.set('html', message.html);
  }
  if (sender.replyTo) form.set('h:Reply-To', sender.replyTo);
  for (const [name, value] of Object.entries(message.headers)) form.set(`h:${name}`, value);
  return form;
}

export default defineConnector<MailgunConfig>({
  id: 'mailgun',
  name: 'Mailgun',
  description: 'Send through the Mailgun Messages API (US or EU region), with optional stored templates.',
  logo,
  readme,
  configSchema: mailgunConfigSchema,
  capabilities: { customTemplates: true, providerTemplates: true, customSender: true },
  parseEvents: parseMailgunEvents,
  create(config, ctx) {
    const secrets = [config.apiKey];
    const client = createHttpClient({
      provider: 'Mailgun',
      fetch: ctx.fetch,
      baseUrl: mailgunBaseUrl(config),
      headers: {
        authorization: `Basic ${Buffer.from(`api:${config.apiKey}`).toString('base64')}`,
        accept: 'application/json',
      },
    });
    const path = `/v3/${encodeURIComponent(config.domain)}/messages`;
    return {
      async send(message, { signal }) {
        const res = await client.request(path, { body: mailgunForm(config, message), signal });
        if (res.status === 200) return { providerMessageId: stringField(res.json, 'id') ?? null };
        throw mailgunError(res, config.domain, secrets);
      },
    };
  },
});
