// A complete custom connector for Postern: "Acme Mail", a made-up JSON API.
// Put this folder (or the file) in POSTERN_CONNECTORS_DIR and restart Postern; the factory
// appears in GET /api/connector-factories and in the console like the built-in ones.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ConnectorError, EventRejection, assertFreshTimestamp, codeForHttpStatus, defineConnector, destination, parseJsonBody, parseRetryAfter, resolveSender, scrubSecrets, secret, z } from '@postern/connector-kit';

const configSchema = z.strictObject({
  apiKey: secret(z.string().min(10)).describe('The API key from Acme Mail → Settings → Keys.'),
  fromEmail: z.email().describe('A sender address verified at Acme Mail.'),
  fromName: z.string().max(100).optional(),
  replyTo: z.email().optional(),
  // A destination: changing it requires the API key to be entered again, so that a stored key
  // is never sent to a new server.
  baseUrl: destination(z.url({ protocol: /^https?$/ }).default('https://api.acmemail.example')),
  webhookSecret: secret(z.string().min(16)).optional().describe('The webhook secret from Acme Mail → Settings → Webhooks (for bounces).'),
});

export default defineConnector({
  id: 'acme-mail',
  name: 'Acme Mail',
  description: 'Sends through the Acme Mail JSON API.',
  logo: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="12" fill="#0f766e"/><path d="M16 44 32 18l16 26z" fill="#fff"/></svg>',
  readme: '# Acme Mail\n\n1. Create an API key under **Settings → Keys**.\n2. Verify your sender address under **Senders**.\n3. Paste both here and send a test email.\n',
  configSchema,
  capabilities: { customTemplates: true, providerTemplates: false, customSender: true },

  // Optional: bounces and complaints from Acme's webhook, posted to /api/provider-events/acme-mail.
  // Check the provider's own signature on the raw body, then return normalised events;
  // Postern matches them to the email log and keeps the suppression list.
  async parseEvents(request, config, ctx) {
    if (!config.webhookSecret) throw new EventRejection('not_configured', 'Set webhookSecret first.');
    const ts = request.headers['x-acme-timestamp'];
    const sig = request.headers['x-acme-signature'] ?? '';
    assertFreshTimestamp(ts, ctx.now);
    const expected = createHmac('sha256', config.webhookSecret).update(`${ts}.`).update(request.rawBody).digest();
    const given = Buffer.from(sig, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new EventRejection('invalid_signature', 'The Acme signature does not match.');
    const body = parseJsonBody(request.rawBody);
    const types = { delivered: 'delivered', bounced: 'bounced', complained: 'complained' };
    if (!body || typeof body !== 'object' || !types[body.type] || typeof body.messageId !== 'string' || typeof body.to !== 'string') {
      throw new EventRejection('malformed', 'Expected {type, messageId, to, permanent?}.');
    }
    return {
      events: [{ type: types[body.type], ...(body.type === 'bounced' ? { bounceType: body.permanent ? 'hard' : 'soft' } : {}), providerMessageId: body.messageId, recipient: body.to, at: ctx.now.toISOString(), eventId: String(body.id ?? '') || undefined }],
      replayKey: sig,
    };
  },

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
