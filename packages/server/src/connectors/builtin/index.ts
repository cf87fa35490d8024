import type { Transporter } from 'nodemailer';
import { readConnectorFile, ConnectorError, defineConnector, formatAddress, type ConnectorFactory } from '@postern/connector-kit';
import { builtinConfigSchema, type BuiltinConfig } from './schema.js';
import { mapSmtpError } from '../smtp/errors.js';

// The console shows these; they are read from the files beside this module (copied to dist by the build).
const readme = readConnectorFile(import.meta.url, 'README.md');
const logo = readConnectorFile(import.meta.url, 'logo.svg');

export interface BuiltinOptions {
  /** POSTERN_BUILTIN_RELAY; when absent, mail is captured into the mailbox. */
  relayUrl?: string | undefined;
  /** The fixed sender address. */
  fromAddress: string;
}

/**
 * The built-in email service. Its designs are Postern's own: the core renders with the
 * shipped templates (capabilities.customTemplates is false) and this connector only
 * captures or relays the result.
 */
export function createBuiltinFactory(opts: BuiltinOptions): ConnectorFactory<BuiltinConfig> {
  // nodemailer is loaded only when a relay is configured (captured mail never needs it).
  let relay: Promise<Transporter> | undefined;
  const relayTransport = () => {
    relay ??= import('nodemailer').then(({ default: nodemailer }) => nodemailer.createTransport(opts.relayUrl!, { pool: true, maxConnections: 5 } as never));
    return relay;
  };
  const relaySecrets = relayCredentials(opts.relayUrl);
  return defineConnector<BuiltinConfig>({
    id: 'builtin',
    name: 'Built-in email service',
    description: 'Works out of the box: captures mail into the mailbox, or relays it through POSTERN_BUILTIN_RELAY.',
    logo,
    readme,
    configSchema: builtinConfigSchema,
    capabilities: { customTemplates: false, providerTemplates: false, customSender: false },
    create(config, ctx) {
      const from = formatAddress(opts.fromAddress, config.senderName);
      return {
        async send(message, { signal }) {
          if (signal.aborted) throw new ConnectorError('connector.timeout');
          if (!opts.relayUrl) {
            if (!ctx.mailbox) throw new ConnectorError('connector.unavailable', 'The mailbox is not available.');
            const { id } = await ctx.mailbox.capture({ tenantId: message.tenantId, to: message.to, from, subject: message.subject, html: message.html, text: message.text });
            return { providerMessageId: `mailbox:${id}`, captured: true };
          }
          try {
            const info = await (await relayTransport()).sendMail({ from, to: message.to, subject: message.subject, html: message.html, text: message.text, headers: message.headers });
            return { providerMessageId: info.messageId ?? null };
          } catch (err) {
            // The same reading of SMTP answers as the SMTP connector: only a 5xx to RCPT TO
            // is a rejected recipient, 535 a credentials problem, 4xx transient.
            throw mapSmtpError(err, relaySecrets, 'The built-in relay');
          }
        },
      };
    },
  });
}

/** The user name and password in POSTERN_BUILTIN_RELAY, scrubbed from anything shown. */
function relayCredentials(relayUrl: string | undefined): string[] {
  if (!relayUrl) return [];
  try {
    const u = new URL(relayUrl);
    return [u.password, decodeURIComponent(u.password), u.username, decodeURIComponent(u.username)].filter((v) => v.length >= 4);
  } catch {
    return [];
  }
}
