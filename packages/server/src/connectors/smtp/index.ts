import { createRequire } from 'node:module';
import type Nodemailer from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import {
  readConnectorFile,
  ConnectorError,
  defineConnector,
  resolveSender,
  secretPaths,
  secretValues,
  type Connector,
  type ConnectorContext,
  type EmailMessage,
  type SendOptions,
  type SendResult,
  type DkimSigningKey,
} from '@postern/connector-kit';
import { smtpConfigSchema, type SmtpConfig } from './schema.js';
import { mapSmtpError } from './errors.js';
import { openPolicySocket } from './socket.js';
import { oauth2Provisioner } from './oauth2.js';

// The console shows these; they are read from the files beside this module (copied to dist by the build).
const readme = readConnectorFile(import.meta.url, 'README.md');
const logo = readConnectorFile(import.meta.url, 'logo.svg');

export { smtpConfigSchema, type SmtpConfig } from './schema.js';
export { mapSmtpError } from './errors.js';

/** A DKIM key resolved from the config's `dkim.keyId` by Postern (SPEC §12). */
export type SmtpDkimKey = DkimSigningKey;

export interface SmtpExtras {
  dkim?: SmtpDkimKey;
}

const SECRET_PATHS = secretPaths(smtpConfigSchema);

/**
 * The nodemailer pooled-transport options for a config: server, TLS, timeouts, pool and
 * DKIM. It holds no network hooks; {@link createSmtpConnector} adds the socket and OAuth2
 * hooks that keep every connection inside the destination policy.
 */
export function smtpTransportOptions(config: SmtpConfig, extras: SmtpExtras = {}): SMTPPool.Options {
  const auth = config.auth;
  return {
    pool: true,
    host: config.host,
    port: config.port,
    secure: config.secure,
    requireTLS: config.requireTLS && !config.secure,
    maxConnections: config.pool.maxConnections,
    maxMessages: config.pool.maxMessages,
    // Postern's delivery pipeline owns retries (SPEC §3.5): without this the pool would
    // reconnect and requeue a message over and over inside one attempt.
    // (not in @types/nodemailer yet)
    ...({ maxRequeues: 0 } as object),
    connectionTimeout: config.connectionTimeoutMs,
    greetingTimeout: config.greetingTimeoutMs,
    socketTimeout: config.socketTimeoutMs,
    ...(config.tls ? { tls: { ...config.tls } } : {}),
    ...(auth?.type === 'login' ? { auth: { type: 'login', user: auth.user, pass: auth.pass, ...(auth.method ? { method: auth.method } : {}) } } : {}),
    ...(auth?.type === 'oauth2' ? { auth: { type: 'OAuth2', user: auth.user } } : {}),
    // Credentials are configured, so a server that does not offer AUTH is an error, not a
    // reason to send unauthenticated (nodemailer would otherwise skip AUTH silently).
    ...(auth && auth.type !== 'none' ? { forceAuth: true } : {}),
    ...(extras.dkim ? { dkim: { ...extras.dkim } } : {}),
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
  };
}

/**
 * The transfer encoding of the text parts and encoded headers: quoted-printable for mostly
 * Latin text, base64 otherwise (Thai, Japanese, Chinese). It is nodemailer's own rule, but
 * counted in one pass over one part: left to itself, nodemailer runs two global regular
 * expressions over every part and header, building an array of every letter (a fifth of its
 * CPU per message).
 */
export function textEncodingOf(text: string): 'quoted-printable' | 'base64' {
  let latin = 0;
  let other = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) latin++;
    else if (c >= 0x80 || (c < 0x20 && c !== 9 && c !== 10 && c !== 13)) other++;
  }
  return other < latin ? 'quoted-printable' : 'base64';
}

/**
 * Builds the SMTP connector with one pooled transport that every send reuses; `close()`
 * closes the pool. The signing key for `config.dkim` is `ctx.dkim` (or `extras.dkim`).
 */
export function createSmtpConnector(config: SmtpConfig, ctx: ConnectorContext, extras: SmtpExtras = {}): Connector {
  const dkim = extras.dkim ?? ctx.dkim;
  const options = smtpTransportOptions(config, dkim ? { dkim } : {});
  options.getSocket = (_opts, callback) => {
    openPolicySocket(ctx, config.host, config.port, config.connectionTimeoutMs).then(
      (connection) => callback(null, { connection }),
      (err: Error) => callback(err, false),
    );
  };
  if (config.auth?.type === 'oauth2') {
    options.auth = { type: 'OAuth2', user: config.auth.user, provisionCallback: oauth2Provisioner(config.auth, ctx, config.connectionTimeoutMs) };
  }
  // nodemailer is loaded with the first SMTP connector (synchronously: it is CommonJS).
  const nodemailer = createRequire(import.meta.url)('nodemailer') as typeof Nodemailer;
  const transport = nodemailer.createTransport(options);
  const secrets = secretValues(config, SECRET_PATHS);
  const messageDomain = config.fromEmail.split('@').pop() ?? 'postern.local';
  let closed = false;

  async function send(message: EmailMessage, { signal }: SendOptions): Promise<SendResult> {
    if (closed) throw new ConnectorError('connector.unavailable', 'The SMTP connector was closed.');
    const sender = resolveSender(message, config);
    const mail = {
      from: sender.name ? { name: sender.name, address: sender.email } : sender.email,
      to: message.to,
      ...(sender.replyTo ? { replyTo: sender.replyTo } : {}),
      subject: message.subject,
      text: message.text,
      html: message.html,
      textEncoding: textEncodingOf(message.text || message.html || message.subject),
      headers: message.headers,
      // Stable across retries, so receivers can recognise a repeated delivery.
      messageId: `<${message.id}@${messageDomain}>`,
      ...(message.attachments?.length
        ? {
            attachments: message.attachments.map((a) => ({
              content: a.content,
              encoding: 'base64',
              contentType: a.contentType,
              ...(a.filename ? { filename: a.filename } : {}),
              ...(a.contentId ? { cid: a.contentId } : {}),
              ...(a.disposition ? { contentDisposition: a.disposition } : {}),
            })),
          }
        : {}),
      // A submitted message is signed with the key of its own From domain (SPEC §18).
      ...(message.dkim ? { dkim: { ...message.dkim } } : {}),
    };
    try {
      const info = await abortable(() => transport.sendMail(mail), signal);
      return { providerMessageId: typeof info.messageId === 'string' ? info.messageId : null };
    } catch (err) {
      throw mapSmtpError(err, secrets);
    }
  }

  async function verify({ signal }: SendOptions): Promise<void> {
    try {
      await abortable(() => transport.verify(), signal);
    } catch (err) {
      throw mapSmtpError(err, secrets);
    }
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    transport.close();
  }

  return { send, verify, close };
}

/**
 * Starts `start()` unless `signal` has already aborted, and rejects with `connector.timeout`
 * as soon as it aborts. nodemailer cannot cancel a queued message, so a message whose
 * attempt timed out may still go out later over the pool.
 */
function abortable<T>(start: () => Promise<T>, signal: AbortSignal): Promise<T> {
  const timeout = () => new ConnectorError('connector.timeout', 'The SMTP server did not answer in time.', { cause: signal.reason });
  if (signal.aborted) return Promise.reject(timeout());
  const work = start();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(timeout());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

export default defineConnector<SmtpConfig>({
  id: 'smtp',
  name: 'SMTP',
  description: 'Sends through any SMTP server or relay, over TLS, with a pool of reused connections.',
  logo,
  readme,
  configSchema: smtpConfigSchema,
  capabilities: { customTemplates: true, providerTemplates: false, customSender: true, attachments: true },
  create: (config, ctx) => createSmtpConnector(config, ctx),
  dkimKeyId: (config) => config.dkim?.keyId,
});
