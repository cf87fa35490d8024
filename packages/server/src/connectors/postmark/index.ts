import { readConnectorFile, defineConnector, resolveSender, type EmailMessage } from '@postern/connector-kit';
import { createHttpClient, stringField } from '@postern/connector-kit';
import { parsePostmarkEvents } from './events.js';
import { postmarkError } from './errors.js';
import { postmarkConfigSchema, POSTMARK_BASE_URL, type PostmarkConfig } from './schema.js';

// The console shows these; they are read from the files beside this module (copied to dist by the build).
const readme = readConnectorFile(import.meta.url, 'README.md');
const logo = readConnectorFile(import.meta.url, 'logo.svg');

/** The request: `/email/withTemplate` with the variables as TemplateModel when an alias is configured, else `/email`. */
export function postmarkRequest(
  config: PostmarkConfig,
  message: EmailMessage,
): { path: string; body: Record<string, unknown> } {
  const sender = resolveSender(message, config);
  const common: Record<string, unknown> = {
    From: sender.formatted,
    To: message.to,
    MessageStream: config.messageStream,
    Tag: message.templateType,
  };
  if (sender.replyTo) common.ReplyTo = sender.replyTo;
  const headers = Object.entries(message.headers).map(([Name, Value]) => ({ Name, Value }));
  if (headers.length > 0) common.Headers = headers;
  const alias = config.templateAliases?.[message.templateType];
  if (alias)
    return { path: '/email/withTemplate', body: { ...common, TemplateAlias: alias, TemplateModel: message.variables } };
  return {
    path: '/email',
    body: {
      ...common,
      Subject: message.subject,
      HtmlBody: message.html,
      ...(message.text ? { TextBody: message.text } : {}),
    },
  };
}

export default defineConnector<PostmarkConfig>({
  id: 'postmark',
  name: 'Postmark',
  description: 'Send through the Postmark Email API on a transactional message stream, with optional templates.',
  logo,
  readme,
  configSchema: postmarkConfigSchema,
  capabilities: { customTemplates: true, providerTemplates: true, customSender: true },
  parseEvents: parsePostmarkEvents,
  create(config, ctx) {
    const secrets = [config.serverToken];
    const client = createHttpClient({
      provider: 'Postmark',
      fetch: ctx.fetch,
      baseUrl: config.baseUrl ?? POSTMARK_BASE_URL,
      headers: {
        'x-postmark-server-token': config.serverToken,
        accept: 'application/json',
        'content-type': 'application/json',
      },
    });
    return {
      async send(message, { signal }) {
        const { path, body } = postmarkRequest(config, message);
        const res = await client.request(path, { body: JSON.stringify(body), signal });
        if (res.status === 200) return { providerMessageId: stringField(res.json, 'MessageID') ?? null };
        throw postmarkError(res, secrets);
      },
    };
  },
});
