/**
 * Table types. Portable across SQLite and PostgreSQL: timestamps are ISO 8601 UTC strings
 * (fixed width, so they sort and compare as text), JSON is text, booleans are 0/1.
 */
import type { Generated } from 'kysely';
import type { OutboxRow } from '../core/ports.js';
import type { WebhookDeliveryRow, WebhookEndpointRow } from '../core/webhooks/ports.js';

export interface TenantsTable {
  id: string;
  name: string;
  type: 'development' | 'production';
  created_at: string;
}

export interface AdminKeysTable {
  id: string;
  /** null for system keys, which act on every tenant. */
  tenant_id: string | null;
  name: string;
  key_hash: string;
  created_at: string;
}

export interface ConnectorsTable {
  id: string;
  tenant_id: string;
  /** `email` is the tenant's connector; `email_fallback` its fallback (SPEC §15). */
  type: 'email' | 'email_fallback';
  factory_id: string;
  /** The config without its secret fields, JSON. */
  config: string;
  /** The secret fields `{path: value}`, JSON encrypted with AES-256-GCM (Keyring). */
  secrets: string | null;
  created_at: string;
  updated_at: string;
}

export interface TenantSettingsTable {
  tenant_id: string;
  /** 'signInExperience' | 'branding' | 'codePolicy' */
  key: string;
  value: string;
  updated_at: string;
}

export interface EmailLogsTable {
  id: string;
  tenant_id: string;
  factory_id: string;
  template_type: string;
  to_address: string;
  subject: string;
  status: 'sent' | 'failed' | 'captured' | 'suppressed';
  provider_message_id: string | null;
  error_code: string | null;
  error_message: string | null;
  attempts: number;
  duration_ms: number;
  created_at: string;
  /** The latest provider event: 'delivered' | 'delayed' | 'bounced' | 'complained' (008). */
  delivery_status?: string | null;
  /** JSON list of the connectors tried (SPEC §15), or null. */
  attempt_log: string | null;
  /** Where the send came from (011): one of core's EMAIL_SOURCES; `api` when not given. */
  source: Generated<string>;
}

export interface SmtpCredentialsTable {
  id: string;
  tenant_id: string;
  name: string;
  username: string;
  /** SHA-256 (hex) of the generated password. */
  password_hash: string;
  /** JSON list of lower-case domains. */
  allowed_from_domains: string;
  max_recipients_per_hour: number;
  created_at: string;
}

export interface EmailEventsTable {
  id: string;
  tenant_id: string;
  email_log_id: string;
  type: string;
  bounce_type: string | null;
  recipient: string;
  detail: string | null;
  /** The provider's event id (or the request's), so a retried delivery is recorded once. */
  dedupe_key: string;
  occurred_at: string;
  created_at: string;
}

export interface SuppressionsTable {
  tenant_id: string;
  email_key: string;
  email: string;
  reason: 'hard_bounce' | 'complaint' | 'manual';
  source: string;
  created_at: string;
  expires_at: string | null;
}

export interface WebhookReceiptsTable {
  tenant_id: string;
  factory_id: string;
  replay_key: string;
  created_at: string;
}

export interface EventCredentialsTable {
  tenant_id: string;
  connector_id: string;
  username: string;
  /** SHA-256 of the generated password (it is random, so a fast hash is enough). */
  password_hash: string;
  /** The last 4 characters, for the masked URL. */
  password_hint: string;
  created_at: string;
}

export interface MailboxTable {
  id: string;
  tenant_id: string;
  to_address: string;
  from_address: string;
  subject: string;
  html: string;
  text: string;
  created_at: string;
}

export interface EmailTemplatesTable {
  tenant_id: string;
  locale: string;
  template_type: string;
  subject: string;
  html: string;
  text: string | null;
  reply_to: string | null;
  sender_name: string | null;
  updated_at: string;
}

export interface VerificationCodesTable {
  id: string;
  tenant_id: string;
  recipient_key: string;
  email: string;
  /** Template type plus the flow that asked, e.g. `SignIn:experience.sign-in`. */
  purpose: string;
  /** HMAC-SHA256 of `id:code` under a key derived from POSTERN_SECRET; never the code. */
  code_hmac: string;
  attempts: number;
  max_attempts: number;
  status: 'active' | 'consumed' | 'invalidated';
  /** JSON of what the flow needs back on success (e.g. the user id for MFA). */
  payload: string | null;
  expires_at: string;
  created_at: string;
  consumed_at: string | null;
}

export interface DkimKeysTable {
  id: string;
  tenant_id: string;
  domain: string;
  selector: string;
  /** PKCS#8 PEM, encrypted with the Keyring. */
  private_key: string;
  public_key: string;
  created_at: string;
}

/** The outbox row is defined with its port (core/ports.ts); the table is that row. */
export type { OutboxState } from '../core/ports.js';
export type OutboxTable = OutboxRow;

export interface IntegrationsTable {
  id: string;
  tenant_id: string;
  kind: string;
  name: string;
  /** The shared secret, encrypted with the Keyring (Supabase's signatures need it back). */
  secret: string;
  /** SHA-256 of the secret: Logto and Kratos present it as a bearer or basic-auth password. */
  secret_hash: string;
  supabase_url: string | null;
  created_at: string;
}

export interface ApplicationsTable {
  id: string;
  tenant_id: string;
  name: string;
  type: 'spa' | 'traditional' | 'native';
  /** JSON arrays of strings. */
  redirect_uris: string;
  post_logout_redirect_uris: string;
  cors_origins: string;
  logo_url: string | null;
  /** Encrypted with the Keyring; null for public clients. */
  client_secret: string | null;
  /** `ES256` or `RS256` (migration 016). */
  id_token_signed_response_alg: 'ES256' | 'RS256';
  created_at: string;
  updated_at: string;
}

export interface OidcPayloadsTable {
  tenant_id: string;
  model: string;
  id: string;
  payload: string;
  grant_id: string | null;
  user_code: string | null;
  uid: string | null;
  expires_at: string | null;
  consumed_at: string | null;
}

export interface Database {
  webhook_endpoints: WebhookEndpointRow;
  webhook_deliveries: WebhookDeliveryRow;
  outbox: OutboxTable;
  integrations: IntegrationsTable;
  applications: ApplicationsTable;
  oidc_payloads: OidcPayloadsTable;
  dkim_keys: DkimKeysTable;
  verification_codes: VerificationCodesTable;
  tenants: TenantsTable;
  admin_keys: AdminKeysTable;
  connectors: ConnectorsTable;
  tenant_settings: TenantSettingsTable;
  email_logs: EmailLogsTable;
  smtp_credentials: SmtpCredentialsTable;
  email_events: EmailEventsTable;
  suppressions: SuppressionsTable;
  webhook_receipts: WebhookReceiptsTable;
  event_credentials: EventCredentialsTable;
  mailbox: MailboxTable;
  email_templates: EmailTemplatesTable;
}
