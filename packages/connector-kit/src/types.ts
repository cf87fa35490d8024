import type { z } from 'zod';
import type { ParsedProviderEvents, ProviderEventContext, ProviderEventRequest } from './events.js';

/** Every kind of message Postern sends (SPEC §4). */
export const TEMPLATE_TYPES = [
  'SignIn',
  'Register',
  'ForgotPassword',
  'Generic',
  'OrganizationInvitation',
  'UserPermissionValidation',
  'BindNewIdentifier',
  'MfaVerification',
  'BindMfa',
  'PasswordChanged',
  'EmailChanged',
  'MfaChanged',
  'NewSignIn',
  'UnknownRecipient',
] as const;
export type TemplateType = (typeof TEMPLATE_TYPES)[number];

/**
 * The account-security notices (SPEC §19): they tell the recipient what happened and carry
 * no code, so they can never be sent as a verification code.
 */
export const NOTICE_TEMPLATE_TYPES = ['PasswordChanged', 'EmailChanged', 'MfaChanged', 'NewSignIn', 'UnknownRecipient'] as const satisfies readonly TemplateType[];
export type NoticeTemplateType = (typeof NOTICE_TEMPLATE_TYPES)[number];

export function isNoticeTemplateType(type: string): type is NoticeTemplateType {
  return (NOTICE_TEMPLATE_TYPES as readonly string[]).includes(type);
}

/**
 * A finished message: the core has rendered subject, html and text, and resolved the
 * recipient to the stored address. A connector only delivers it.
 */
export interface EmailMessage {
  /**
   * Overrides of the sender for this message (from the tenant's template). A connector
   * uses its configured `fromEmail`/`fromName` where these are absent.
   */
  from: { email?: string; name?: string };
  to: string;
  /** Overrides the connector's configured reply-to address for this message. */
  replyTo?: string;
  subject: string;
  html: string;
  text: string;
  /** Extra headers, already validated (no CR/LF). */
  headers: Record<string, string>;
  templateType: TemplateType;
  locale: string;
  /** The template variables (code, link, expiresInMinutes, …) for provider-side templates. */
  variables: Record<string, unknown>;
  /** Stable id of this delivery, the same across retries (idempotency keys, webhook ids). */
  id: string;
  tenantId: string;
  /** The end user's IP address when the send was asked for by one. */
  ip?: string;
  /**
   * Files that came with a message submitted over SMTP (SPEC §18). Only connectors whose
   * capabilities say `attachments: true` are handed a message that has any.
   */
  attachments?: EmailAttachment[];
  /**
   * A key to DKIM-sign this message with (mail submitted over SMTP whose From domain has a
   * stored key). Connectors that build the MIME message themselves sign with it; API
   * providers sign with their own domain set-up and ignore it.
   */
  dkim?: DkimSigningKey;
}

/** One attached file of a submitted message. */
export interface EmailAttachment {
  filename?: string;
  contentType: string;
  /** The bytes, base64. */
  content: string;
  /** For inline parts referenced from the HTML as `cid:…`. */
  contentId?: string;
  disposition?: 'attachment' | 'inline';
}

export interface SendOptions {
  /** Aborted when the attempt's timeout passes; a connector must stop waiting then. */
  signal: AbortSignal;
}

export interface SendResult {
  providerMessageId: string | null;
  /** Set by connectors that keep the message instead of delivering it (the built-in mailbox). */
  captured?: boolean;
}

export interface Connector {
  send(message: EmailMessage, options: SendOptions): Promise<SendResult>;
  /** Checks credentials or reachability without sending, when the provider allows it. */
  verify?(options: SendOptions): Promise<void>;
  /** Releases pooled connections. Called when the config changes and at shutdown. */
  close?(): Promise<void>;
}

/**
 * What Postern hands a connector when it builds one. Connectors make every outbound
 * connection through these, so the destination policy (SPEC §3.5) holds for them.
 */
export interface ConnectorContext {
  tenantId: string;
  /**
   * A fetch whose connections are checked against the outbound destination policy on the
   * resolved address and on every redirect. Use it instead of the global fetch.
   */
  fetch: typeof fetch;
  /**
   * A `dns.lookup`-compatible function that refuses blocked addresses, for socket-level
   * clients (SMTP). Pass it as the `lookup` option of net/tls connections.
   */
  lookup: LookupFunction;
  /** Checks a literal host or IP before connecting; throws `connector.destination_blocked`. */
  assertDestination(host: string): Promise<void>;
  /** Where the built-in service captures mail when it has no relay. */
  mailbox?: MailboxSink;
  /** Builds absolute links; never derived from a request's Host header. */
  publicUrl: string;
  /**
   * The DKIM key the config names (see {@link ConnectorFactory.dkimKeyId}), resolved and
   * decrypted by Postern; absent when the config names none.
   */
  dkim?: DkimSigningKey;
  /**
   * Whether the operator lets this tenant use the server's own cloud identity (the AWS
   * default credential chain: environment, web identity, ECS task role, instance profile)
   * when the config holds no keys. Absent means no.
   */
  ambientCredentials?: boolean;
}

/** A stored DKIM signing key (SPEC §12), handed to the connector whose config names it. */
export interface DkimSigningKey {
  domainName: string;
  keySelector: string;
  /** PEM private key. */
  privateKey: string;
}

export type LookupFunction = (
  hostname: string,
  options: { family?: number | string; all?: boolean; [k: string]: unknown },
  callback: (err: NodeJS.ErrnoException | null, address: string | Array<{ address: string; family: number }>, family?: number) => void,
) => void;

export interface MailboxSink {
  capture(message: { tenantId: string; to: string; subject: string; html: string; text: string; from: string }): Promise<{ id: string }>;
}

export interface ConnectorCapabilities {
  /** The tenant's own templates are used for this connector's messages. */
  customTemplates: boolean;
  /** Provider-side templates can be configured per template type. */
  providerTemplates: boolean;
  /** The sender address and name can be set. */
  customSender: boolean;
  /** Messages with attachments can be delivered (absent means no). */
  attachments?: boolean;
}

/**
 * A connector factory: the description the console shows, the config schema that
 * validates, documents and draws the form, and `create`, called once per saved config.
 *
 * @example
 * export default defineConnector({
 *   id: 'acme', name: 'Acme Mail', description: '…', logo: '<svg …/>', readme: '# Acme',
 *   configSchema: z.strictObject({ apiKey: secret(z.string().min(1)) }),
 *   capabilities: { customTemplates: true, providerTemplates: false, customSender: true },
 *   create(config, ctx) { return { async send(message, { signal }) { … } }; },
 * });
 */
export interface ConnectorFactory<Config = any> {
  id: string;
  name: string;
  description: string;
  /** An SVG document. */
  logo: string;
  /** Markdown shown beside the form: what to set up at the provider and where each field comes from. */
  readme: string;
  configSchema: z.ZodType<Config>;
  capabilities: ConnectorCapabilities;
  create(config: Config, ctx: ConnectorContext): Connector;
  /**
   * The id of the stored DKIM key this config signs with, if any. Postern checks that the
   * key exists when the config is saved, refuses to delete it while the config names it,
   * and passes it to `create` as `ctx.dkim`.
   */
  dkimKeyId?(config: Config): string | undefined;
  /**
   * Checks the provider's own authentication on a delivery-event webhook and normalises
   * its body (SPEC §16). Throws `EventRejection` for unsigned, mis-signed, stale or
   * malformed requests. Factories without it take no events.
   */
  parseEvents?(request: ProviderEventRequest, config: Config, ctx: ProviderEventContext): Promise<ParsedProviderEvents>;
  /** Secret-bearing values to scrub from provider messages (defaults to the schema's secret fields). */
}

/** What a connector factory's `id` must look like: a lower-case slug (a-z, 0-9, -), at most 64 characters. */
export const CONNECTOR_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

export function defineConnector<Config>(factory: ConnectorFactory<Config>): ConnectorFactory<Config> {
  return factory;
}
