import { Agent as HttpAgent } from 'node:http';
import { parseSesEvents } from './events.js';
import { Agent as HttpsAgent } from 'node:https';
import { isIP, type LookupFunction as NetLookup } from 'node:net';
import type { SendEmailCommandInput, SESv2Client } from '@aws-sdk/client-sesv2';
import { ConnectorError, readConnectorFile, defineConnector, formatAddress, resolveSender, type EmailMessage } from '@postern/connector-kit';
import { sesError } from './errors.js';
import { sesConfigSchema, sesEndpoint, usesAmbientCredentials, type SesConfig } from './schema.js';

/** Said when a config without keys reaches a tenant the operator has not allowed. */
export const AMBIENT_NOT_ALLOWED =
  "Set accessKeyId and secretAccessKey: this tenant may not use the server's own AWS identity (the operator lists the tenants that may in POSTERN_AWS_AMBIENT_TENANTS).";

// The console shows these; they are read from the files beside this module (copied to dist by the build).
const readme = readConnectorFile(import.meta.url, 'README.md');
const logo = readConnectorFile(import.meta.url, 'logo.svg');

/** SES wants non-ASCII display names as MIME encoded-words. */
function sesFrom(email: string, name: string | undefined): string {
  if (!name || /^[\x20-\x7e]*$/.test(name)) return formatAddress(email, name);
  return `=?UTF-8?B?${Buffer.from(name.replace(/[\r\n]/g, ' '), 'utf8').toString('base64')}?= <${email}>`;
}

export function sesSendEmailInput(config: SesConfig, message: EmailMessage): SendEmailCommandInput {
  const sender = resolveSender(message, config);
  const headers = Object.entries(message.headers).map(([Name, Value]) => ({ Name, Value }));
  return {
    FromEmailAddress: sesFrom(sender.email, sender.name),
    Destination: { ToAddresses: [message.to] },
    ...(sender.replyTo ? { ReplyToAddresses: [sender.replyTo] } : {}),
    ...(config.configurationSetName ? { ConfigurationSetName: config.configurationSetName } : {}),
    Content: {
      Simple: {
        Subject: { Data: message.subject, Charset: 'UTF-8' },
        Body: {
          Html: { Data: message.html, Charset: 'UTF-8' },
          ...(message.text ? { Text: { Data: message.text, Charset: 'UTF-8' } } : {}),
        },
        ...(headers.length > 0 ? { Headers: headers } : {}),
      },
    },
  };
}

export default defineConnector<SesConfig>({
  id: 'aws-ses',
  name: 'Amazon SES',
  description: 'Send through Amazon Simple Email Service (SES v2 SendEmail) in the region of your choice.',
  logo,
  readme,
  configSchema: sesConfigSchema,
  capabilities: { customTemplates: true, providerTemplates: false, customSender: true },
  parseEvents: parseSesEvents,
  create(config, ctx) {
    const secrets = config.secretAccessKey ? [config.secretAccessKey] : [];
    // No keys: the SDK's default provider chain (environment, web identity / IRSA, ECS task
    // role, instance profile), which is the operator's identity, so only where allowed.
    const ambient = usesAmbientCredentials(config);
    const endpoint = sesEndpoint(config);
    const host = new URL(endpoint).hostname.replace(/^\[|\]$/g, '');
    // Sockets resolve names through ctx.lookup, so the destination policy sees the address
    // actually connected to; a literal IP never goes through lookup and is checked before each send.
    const lookup = ctx.lookup as unknown as NetLookup;
    // The SDK is loaded with the first SES connector (it is a large module graph that a
    // tenant on another provider never needs), and the client built once per connector.
    let client: Promise<SESv2Client> | undefined;
    const sdk = () => import('@aws-sdk/client-sesv2');
    const buildClient = async (): Promise<SESv2Client> => {
      const [{ SESv2Client }, { NodeHttpHandler }] = await Promise.all([sdk(), import('@smithy/node-http-handler')]);
      return new SESv2Client({
        region: config.region,
        endpoint,
        ...(ambient
          ? {}
          : { credentials: { accessKeyId: config.accessKeyId!, secretAccessKey: config.secretAccessKey! } }),
        // Our delivery pipeline owns retries (SPEC §3.5); the SDK must not add its own.
        maxAttempts: 1,
        requestHandler: new NodeHttpHandler({
          httpAgent: new HttpAgent({ keepAlive: true, lookup }),
          httpsAgent: new HttpsAgent({ keepAlive: true, lookup }),
        }),
      });
    };
    let closed = false;
    return {
      async send(message, { signal }) {
        try {
          if (ambient && ctx.ambientCredentials !== true)
            throw new ConnectorError('connector.bad_config', AMBIENT_NOT_ALLOWED);
          if (isIP(host)) await ctx.assertDestination(host);
          client ??= buildClient();
          const [ses, { SendEmailCommand }] = await Promise.all([client, sdk()]);
          const out = await ses.send(new SendEmailCommand(sesSendEmailInput(config, message)), {
            abortSignal: signal,
          });
          return { providerMessageId: out.MessageId ?? null };
        } catch (err) {
          throw sesError(err, signal, message.to, secrets);
        }
      },
      async close() {
        if (closed) return;
        closed = true;
        if (client) (await client.catch(() => undefined))?.destroy();
      },
    };
  },
});
