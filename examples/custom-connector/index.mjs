// A complete custom connector for Postern: "Acme Mail", a made-up JSON API.
// Put this folder (or the file) in POSTERN_CONNECTORS_DIR and restart Postern; the factory
// appears in GET /api/connector-factories and in the console like the built-in ones.
import { ConnectorError, codeForHttpStatus, defineConnector, destination, parseRetryAfter, resolveSender, scrubSecrets, secret, z } from '@postern/connector-kit';

const configSchema = z.strictObject({
  apiKey: secret(z.string().min(10)).describe('The API key from Acme Mail → Settings → Keys.'),
  fromEmail: z.email().describe('A sender address verified at Acme Mail.'),
  fromName: z.string().max(100).optional(),
  replyTo: z.email().optional(),
  // A destination: changing it requires the API key to be entered again, so that a stored key
  // is never sent to a new server.
  baseUrl: destination(z.url({ protocol: /^https?$/ }).default('https://api.acmemail.example')),
});

export default defineConnector({
  id: 'acme-mail',
  name: 'Acme Mail',
  description: 'Sends through the Acme Mail JSON API.',
  logo: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="12" fill="#0f766e"/><path d="M16 44 32 18l16 26z" fill="#fff"/></svg>',
  readme: '# Acme Mail\n\n1. Create an API key under **Settings → Keys**.\n2. Verify your sender address under **Senders**.\n3. Paste both here and send a test email.\n',
  configSchema,
  capabilities: { customTemplates: true, providerTemplates: false, customSender: true },

  create(config, ctx) {
    const url = new URL('/v1/messages', config.baseUrl).toString();
    return {
      async send(message, { signal }) {
        const sender = resolveSender(message, config);
        let res;
        try {
          // ctx.fetch enforces Postern's outbound destination policy; never use the global fetch.
          res = await ctx.fetch(url, {
            method: 'POST',
            signal,
            headers: { authorization: `Bearer ${config.apiKey}`, 'content-type': 'application/json', 'idempotency-key': message.id },
            body: JSON.stringify({ from: sender.formatted, to: message.to, reply_to: sender.replyTo, subject: message.subject, html: message.html, text: message.text }),
          });
        } catch (err) {
          if (err instanceof ConnectorError) throw err;
          if (signal.aborted) throw new ConnectorError('connector.timeout', 'Acme Mail did not answer in time.', { cause: err });
          throw new ConnectorError('connector.unavailable', 'Acme Mail could not be reached.', { cause: err });
        }
        const body = await res.text();
        if (res.ok) return { providerMessageId: JSON.parse(body).id ?? null };
        const providerMessage = scrubSecrets(body, [config.apiKey]);
        const code = res.status === 422 ? 'connector.rejected_recipient' : codeForHttpStatus(res.status);
        throw new ConnectorError(code, `Acme Mail answered ${res.status}.`, {
          retryable: res.status >= 500 || res.status === 429,
          details: { providerStatus: res.status, providerMessage, retryAfter: parseRetryAfter(res.headers.get('retry-after')) },
        });
      },
    };
  },
});
