import { parseHttpEvents } from './events.js';
import {
  readConnectorFile,
  ConnectorError,
  defineConnector,
  findConnectorError,
  parseRetryAfter,
  scrubSecrets,
  type Connector,
  type ConnectorContext,
  type EmailMessage,
  type SendOptions,
  type SendResult,
} from '@postern/connector-kit';
import { httpConfigSchema, type HttpConfig } from './schema.js';
import { webhookHeaders } from './signing.js';

// The console shows these; they are read from the files beside this module (copied to dist by the build).
const readme = readConnectorFile(import.meta.url, 'README.md');
const logo = readConnectorFile(import.meta.url, 'logo.svg');

export { httpConfigSchema, type HttpConfig } from './schema.js';
export { generateSigningSecret, webhookHeaders } from './signing.js';

/** How much of a receiver's answer is read, and how much of it is shown in an error. */
const MAX_BODY_BYTES = 64 * 1024;
const EXCERPT_CHARS = 300;

/** The JSON body POSTed for one message (SPEC §3.3). */
export function webhookBody(message: EmailMessage): string {
  return JSON.stringify({
    id: message.id,
    to: message.to,
    type: message.templateType,
    locale: message.locale,
    subject: message.subject,
    html: message.html,
    text: message.text,
    payload: message.variables,
    tenantId: message.tenantId,
    ip: message.ip ?? null,
  });
}

/** Builds the HTTP connector; `now` is injectable for signature timestamps. */
export function createHttpConnector(config: HttpConfig, ctx: ConnectorContext, now: () => number = Date.now): Connector {
  const secrets = [config.authorization, config.signingSecret, config.signingSecret?.slice('whsec_'.length)];

  async function send(message: EmailMessage, options: SendOptions): Promise<SendResult> {
    if (options.signal.aborted) throw timeoutError(options.signal.reason);
    // The attempt's signal or our own timeout, whichever comes first; both released at the end.
    const controller = new AbortController();
    const { signal } = controller;
    const onOuterAbort = () => controller.abort(options.signal.reason);
    options.signal.addEventListener('abort', onOuterAbort, { once: true });
    const timer = setTimeout(() => controller.abort(new DOMException('The endpoint did not answer in time.', 'TimeoutError')), config.timeoutMs);
    try {
      return await sendWith(message, signal);
    } finally {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onOuterAbort);
    }
  }

  async function sendWith(message: EmailMessage, signal: AbortSignal): Promise<SendResult> {
    const body = webhookBody(message);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'Postern' };
    if (config.authorization) headers.authorization = config.authorization;
    if (config.signingSecret) Object.assign(headers, webhookHeaders(config.signingSecret, message.id, Math.floor(now() / 1000), body));

    let res: Response;
    let text: string;
    try {
      res = await ctx.fetch(config.endpoint, { method: 'POST', headers, body, signal });
      text = await readLimited(res);
    } catch (err) {
      const blocked = findConnectorError(err);
      if (blocked) throw blocked;
      if (signal.aborted) throw timeoutError(err);
      throw new ConnectorError('connector.unavailable', `The endpoint could not be reached: ${scrubSecrets(describe(err), secrets)}`, { cause: err });
    }
    if (res.ok) return { providerMessageId: messageIdFrom(text) ?? message.id };
    throw errorForStatus(res, scrubSecrets(text.slice(0, EXCERPT_CHARS), secrets));
  }

  return { send };
}

export default defineConnector<HttpConfig>({
  id: 'http',
  name: 'HTTP (your own endpoint)',
  description: 'POSTs every message as signed JSON to an endpoint you run, which delivers it.',
  logo,
  readme,
  configSchema: httpConfigSchema,
  capabilities: { customTemplates: true, providerTemplates: false, customSender: false },
  parseEvents: parseHttpEvents,
  create: (config, ctx) => createHttpConnector(config, ctx),
});

function errorForStatus(res: Response, excerpt: string): ConnectorError {
  const status = res.status;
  const details = { providerStatus: status, ...(excerpt ? { providerMessage: excerpt } : {}) };
  const said = `The endpoint answered HTTP ${status}`;
  if (status === 401 || status === 403) return new ConnectorError('connector.auth_failed', `${said}: check the authorization value.`, { details });
  if (status === 408) return new ConnectorError('connector.timeout', `${said} (request timeout).`, { details });
  if (status === 429) {
    const retryAfter = parseRetryAfter(res.headers.get('retry-after'));
    return new ConnectorError('connector.rate_limited', `${said} (rate limited).`, {
      details: { ...details, ...(retryAfter === undefined ? {} : { retryAfter }) },
    });
  }
  if (status >= 500) return new ConnectorError('connector.unavailable', `${said}.`, { details });
  if (status >= 300 && status < 400) return new ConnectorError('connector.delivery_failed', `${said} (redirect to ${res.headers.get('location') ?? 'nowhere'}); set the final URL as the endpoint.`, { details });
  return new ConnectorError('connector.delivery_failed', `${said}.`, { details });
}

/** Reads at most MAX_BODY_BYTES of the answer, so a huge body cannot exhaust memory. */
async function readLimited(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size >= MAX_BODY_BYTES) {
      await reader.cancel().catch(() => undefined);
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString('utf8');
}

function messageIdFrom(text: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') {
      const { id, messageId } = parsed as { id?: unknown; messageId?: unknown };
      if (typeof id === 'string' && id) return id.slice(0, 256);
      if (typeof messageId === 'string' && messageId) return messageId.slice(0, 256);
    }
  } catch {
    // not JSON: fall back to the webhook id
  }
  return undefined;
}

function timeoutError(cause: unknown): ConnectorError {
  return new ConnectorError('connector.timeout', 'The endpoint did not answer in time.', { cause });
}

function describe(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } })?.cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  return err instanceof Error ? err.message : String(err);
}
