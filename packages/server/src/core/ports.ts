import type { ConnectorFactory, DkimSigningKey } from '@postern/connector-kit';

/**
 * The storage and clock interfaces the domain needs. Implementations live in storage/;
 * every one of them passes the same conformance suite on SQLite and PostgreSQL.
 */

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}

export type TenantType = 'development' | 'production';
export interface Tenant {
  id: string;
  name: string;
  type: TenantType;
  createdAt: string;
}

export interface TenantStore {
  get(id: string): Promise<Tenant | undefined>;
  list(page: PageRequest): Promise<Page<Tenant>>;
  /** Returns false when the id is taken. */
  create(tenant: Tenant): Promise<boolean>;
}

export interface AdminKeyRecord {
  id: string;
  tenantId: string | null;
  name: string;
  keyHash: string;
  createdAt: string;
}

export interface AdminKeyStore {
  findByHash(hash: string): Promise<AdminKeyRecord | undefined>;
  create(record: AdminKeyRecord): Promise<void>;
  /** Keys of a tenant (system keys when tenantId is null), with the system keys too when `withSystem`. */
  list(
    tenantId: string | null,
    page: PageRequest,
    withSystem?: boolean,
  ): Promise<Page<Omit<AdminKeyRecord, 'keyHash'>>>;
  get(id: string): Promise<AdminKeyRecord | undefined>;
  delete(id: string, tenantId: string | null): Promise<boolean>;
  /** Deletes a system key unless fewer than `keep` would remain, in one transaction. */
  deleteSystemKey(id: string, keep: number): Promise<'deleted' | 'not_found' | 'last'>;
  /** Deletes key `oldId` (of `next.tenantId`) and inserts `next` in one transaction; false when there was no such key. */
  replace(oldId: string, next: AdminKeyRecord): Promise<boolean>;
  countSystemKeys(): Promise<number>;
}

/** Per-tenant JSON documents: 'signInExperience', 'branding', 'codePolicy'. */
export interface SettingsStore {
  get<T>(tenantId: string, key: string): Promise<T | undefined>;
  put<T>(tenantId: string, key: string, value: T, at: string): Promise<void>;
}

export interface StoredConnector {
  id: string;
  tenantId: string;
  type: 'email';
  factoryId: string;
  /** Whole config with secrets in clear; only ever held in memory. */
  config: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface ConnectorStore {
  getEmailConnector(tenantId: string): Promise<StoredConnector | undefined>;
  get(tenantId: string, id: string): Promise<StoredConnector | undefined>;
  /** false when the tenant already has an email connector. */
  insertEmailConnector(connector: StoredConnector, secretPaths: readonly string[]): Promise<boolean>;
  /** Deletes the tenant's email connector, if any, and inserts this one, in one transaction. */
  replaceEmailConnector(connector: StoredConnector, secretPaths: readonly string[]): Promise<void>;
  updateConfig(
    tenantId: string,
    id: string,
    config: Record<string, unknown>,
    secretPaths: readonly string[],
    at: string,
  ): Promise<boolean>;
  delete(tenantId: string, id: string): Promise<boolean>;
  /** The newest `updatedAt` of a tenant's connector; cheap, for connector-cache freshness across instances. */
  version(tenantId: string): Promise<string | undefined>;
}

export type EmailStatus = 'sent' | 'failed' | 'captured' | 'suppressed';
/** One connector's part in a send (SPEC §11, §15): which role, what happened. */
export interface AttemptLogEntry {
  role: 'primary' | 'fallback';
  factoryId: string;
  at: string;
  outcome: 'sent' | 'captured' | 'failed' | 'skipped';
  attempts?: number;
  error?: { code: string; message: string };
  /** Set on a connector test send's attempt (SPEC §3.2), so that the log marks it as a test. */
  test?: true;
}
/** Where a send came from (SPEC §11), recorded on its email-log item. */
export const EMAIL_SOURCES = ['api', 'experience', 'account', 'smtp', 'integration', 'test'] as const;
export type EmailSource = (typeof EMAIL_SOURCES)[number];

/** The email-log source of a flow or outbox source (`experience.sign-in` → `experience`; unknown → `api`). */
export function emailSourceOf(source: string | undefined): EmailSource {
  const head = (source ?? 'api').split('.')[0] ?? 'api';
  return (EMAIL_SOURCES as readonly string[]).includes(head) ? (head as EmailSource) : 'api';
}

export interface EmailLogEntry {
  id: string;
  tenantId: string;
  factoryId: string;
  templateType: string;
  to: string;
  subject: string;
  status: EmailStatus;
  providerMessageId: string | null;
  error: { code: string; message: string } | null;
  attempts: number;
  durationMs: number;
  createdAt: string;
  /** Where the send came from (absent: `api`). */
  source?: EmailSource;
  /** The latest provider event (SPEC §16): delivered, delayed, bounced or complained; null before any. */
  deliveryStatus?: 'delivered' | 'delayed' | 'bounced' | 'complained' | null;
  /** Each connector tried, in order; absent for sends through one given connector (test sends). */
  attemptLog?: AttemptLogEntry[];
}
export interface EmailLogFilter {
  status?: EmailStatus | undefined;
  templateType?: string | undefined;
  to?: string | undefined;
  source?: EmailSource | undefined;
  /** Part of the recipient address, any case. */
  search?: string | undefined;
}
export interface EmailLogStore {
  record(entry: EmailLogEntry): Promise<void>;
  list(tenantId: string, filter: EmailLogFilter, page: PageRequest): Promise<Page<EmailLogEntry>>;
  get(tenantId: string, id: string): Promise<EmailLogEntry | undefined>;
}

export interface MailboxMessage {
  id: string;
  tenantId: string;
  to: string;
  from: string;
  subject: string;
  html: string;
  text: string;
  createdAt: string;
}
export interface MailboxStore {
  capture(message: MailboxMessage): Promise<void>;
  list(tenantId: string, page: PageRequest): Promise<Page<Omit<MailboxMessage, 'html' | 'text'>>>;
  get(tenantId: string, id: string): Promise<MailboxMessage | undefined>;
  clear(tenantId: string): Promise<number>;
}

export interface StoredTemplate {
  tenantId: string;
  locale: string;
  templateType: string;
  subject: string;
  html: string;
  text: string | null;
  replyTo: string | null;
  senderName: string | null;
  updatedAt: string;
}
export interface TemplateStore {
  get(tenantId: string, locale: string, templateType: string): Promise<StoredTemplate | undefined>;
  listForTenant(tenantId: string): Promise<StoredTemplate[]>;
  put(template: StoredTemplate): Promise<void>;
  delete(tenantId: string, locale: string, templateType: string): Promise<boolean>;
}

export interface DkimKey {
  id: string;
  tenantId: string;
  domain: string;
  selector: string;
  publicKeyPem: string;
  createdAt: string;
}
export interface DkimKeyStore {
  /** false when the tenant has a key for this domain and selector already. */
  create(key: DkimKey, privateKeyPem: string): Promise<boolean>;
  list(tenantId: string): Promise<DkimKey[]>;
  get(tenantId: string, id: string): Promise<DkimKey | undefined>;
  find(tenantId: string, domain: string, selector: string): Promise<DkimKey | undefined>;
  /** The private key in clear, for signing; only ever held in memory. */
  privateKey(tenantId: string, id: string): Promise<string | undefined>;
  delete(tenantId: string, id: string): Promise<boolean>;
}

export interface Stores {
  dkimKeys: DkimKeyStore;
  codes: CodeStore;
  tenants: TenantStore;
  adminKeys: AdminKeyStore;
  settings: SettingsStore;
  connectors: ConnectorStore;
  /** The tenant's fallback email connector (SPEC §15), stored like the primary. */
  fallbackConnectors: ConnectorStore;
  emailLogs: EmailLogStore;
  mailbox: MailboxStore;
  templates: TemplateStore;
  /** Hooks of other auth systems (SPEC §18). */
  integrations: IntegrationStore;
}

export interface StoredCode {
  id: string;
  tenantId: string;
  recipientKey: string;
  email: string;
  purpose: string;
  codeHmac: string;
  maxAttempts: number;
  payload: Record<string, unknown> | null;
  expiresAt: string;
  createdAt: string;
}

export type CodeAttemptOutcome = 'ok' | 'not_found' | 'expired' | 'exhausted' | 'mismatch';
export interface CodeAttempt {
  outcome: CodeAttemptOutcome;
  attempts: number;
  maxAttempts: number;
  email?: string;
  payload?: Record<string, unknown> | null;
}

/**
 * Which code an attempt is at, as the caller knows it. `purpose` is `TemplateType:flow`, or
 * `*:flow` for any template type of that flow (the verification id names the code's own).
 */
export interface CodeAttemptTarget {
  tenantId: string;
  id: string;
  recipientKey: string;
  purpose: string;
  now: string;
}

/** A stored code as an attempt sees it. */
export interface StoredCodeState {
  recipientKey: string;
  email: string;
  purpose: string;
  codeHmac: string;
  status: 'active' | 'consumed' | 'invalidated';
  attempts: number;
  maxAttempts: number;
  expiresAt: string;
  payload: Record<string, unknown> | null;
}

/** What one attempt does: its result, and the row update to make (none when nothing changes). */
export interface CodeAttemptDecision {
  result: CodeAttempt;
  update?: { attempts: number; previous: number; status: 'active' | 'consumed'; consumedAt: string | null };
  /** The result when the guarded update finds the row changed by a racing attempt. */
  lost?: CodeAttempt;
}

export interface CodeStore {
  /**
   * Invalidates the active codes of the same tenant, recipient and purpose and inserts this
   * one, in one transaction; with `outbox`, the message carrying the code goes into the
   * outbox in that same transaction (SPEC §15).
   */
  issue(code: StoredCode, outbox?: OutboxRow): Promise<void>;
  /**
   * One attempt at a code: it reads the code, asks `decide` (core/codes/attempt.ts: the
   * rule) what the attempt does, and applies its update guarded by the status and attempt
   * count it read. On SQLite that runs in one transaction, answering `decision.lost` when the
   * guard finds the row changed; on PostgreSQL the guarded update stands alone and, when the
   * guard finds the row changed, the code is read again and the attempt decided anew. Of
   * concurrent attempts each sees the count the previous one left, so no more than
   * maxAttempts are ever evaluated, and only one correct attempt consumes the code.
   * `known` is the state a probe just read: a store may decide on it first (the guard
   * catches a change since) rather than read the row again.
   */
  attempt(
    q: CodeAttemptTarget,
    decide: (code: StoredCodeState | undefined) => CodeAttemptDecision,
    known?: StoredCodeState,
  ): Promise<CodeAttempt>;
  /**
   * Reads a code without counting or locking (undefined when there is none in this tenant),
   * so that core's attempt rule (core/codes/attempt.ts refusal()) can tell whether an
   * attempt would be at a real code before a lockout point is spent on it.
   */
  probe(q: Pick<CodeAttemptTarget, 'tenantId' | 'id'>): Promise<StoredCodeState | undefined>;
  /** Invalidates a recipient's outstanding codes (all purposes, or those starting with a prefix). */
  invalidateRecipient(tenantId: string, recipientKey: string, purposePrefix?: string): Promise<number>;
  invalidate(tenantId: string, id: string): Promise<void>;
  /** Deletes up to `limit` codes that expired or were used before `before`. */
  purge(before: string, limit: number): Promise<number>;
}

/** The connector factories this instance offers (connectors/registry.ts implements it). */
export interface ConnectorCatalog {
  get(id: string): ConnectorFactory | undefined;
  list(): ConnectorFactory[];
  /** The config paths of the factory's secret fields. */
  secretPaths(id: string): string[];
  /** The config paths of the factory's destination fields (where a stored secret would be sent). */
  destinationPaths(id: string): string[];
}

/** Where a connector's DKIM key comes from (core/deliverability/dkim-keys.ts). */
export interface DkimKeySource {
  exists(tenantId: string, keyId: string): Promise<boolean>;
  signingKey(tenantId: string, keyId: string): Promise<DkimSigningKey | undefined>;
}

/** Where an outbox message stands (SPEC §15). */
export type OutboxState = 'queued' | 'sending' | 'sent' | 'failed' | 'cancelled';

/** One outbox message as stored. */
export type OutboxRow = {
  id: string;
  tenant_id: string;
  state: OutboxState;
  source: string;
  template_type: string;
  to_address: string;
  /** The send request, JSON encrypted with the Keyring (it holds the code). */
  payload: string;
  /** What must still be valid for the message to go: 'code' | 'invitation' | null. */
  guard_kind: string | null;
  guard_id: string | null;
  guard_hash: string | null;
  attempts: number;
  lease_owner: string | null;
  lease_until: string | null;
  next_attempt_at: string;
  not_after: string;
  last_error_code: string | null;
  last_error_message: string | null;
  provider_message_id: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
};

export type OutboxFinish = {
  id: string;
  owner: string;
  state: 'sent' | 'failed' | 'cancelled';
  attempts: number;
  errorCode: string | null;
  errorMessage: string | null;
  providerMessageId: string | null;
  at: string;
  /** The message's email-log entry, written with the final state (one commit for both). */
  log?: EmailLogEntry | undefined;
};

export type OutboxRetry = {
  id: string;
  owner: string;
  attempts: number;
  nextAttemptAt: string;
  errorCode: string | null;
  errorMessage: string | null;
  at: string;
};

/**
 * The outbox table (storage/stores/outbox.ts). Claims take due rows and rows whose lease
 * expired, never the same row for two instances; every change of a claimed row is guarded
 * by its lease owner.
 */
export interface OutboxStore {
  extend(id: string, owner: string, until: string): Promise<boolean>;
  insert(row: OutboxRow): Promise<void>;
  claim(owner: string, now: string, leaseUntil: string, limit: number): Promise<OutboxRow[]>;
  finish(f: OutboxFinish): Promise<boolean>;
  retry(r: OutboxRetry): Promise<boolean>;
  /** Whether the code or invitation the message carries is still the one to send. */
  guardHolds(
    row: Pick<OutboxRow, 'tenant_id' | 'guard_kind' | 'guard_id' | 'guard_hash'>,
    now: string,
  ): Promise<boolean>;
  list(tenantId: string, states: readonly OutboxState[], page: PageRequest): Promise<Page<OutboxRow>>;
  get(tenantId: string, id: string): Promise<OutboxRow | undefined>;
  cancel(tenantId: string, id: string, at: string): Promise<boolean>;
  depth(): Promise<{ queued: number; sending: number; oldest: string | null }>;
  purge(beforeIso: string, limit: number): Promise<number>;
}

export const INTEGRATION_KINDS = ['supabase', 'logto', 'kratos'] as const;
export type IntegrationKind = (typeof INTEGRATION_KINDS)[number];

export interface IntegrationRecord {
  id: string;
  tenantId: string;
  kind: IntegrationKind;
  name: string;
  /** Encrypted with the Keyring. */
  secret: string;
  secretHash: string;
  supabaseUrl: string | null;
  createdAt: string;
}

/** The hooks of other auth systems (SPEC §18), one row per shared secret. */
export interface IntegrationStore {
  create(r: IntegrationRecord): Promise<void>;
  get(tenantId: string, id: string): Promise<IntegrationRecord | undefined>;
  list(tenantId: string, page: PageRequest): Promise<Page<IntegrationRecord>>;
  /** The tenant's integrations of one kind (a handful at most). */
  ofKind(tenantId: string, kind: IntegrationKind): Promise<IntegrationRecord[]>;
  findByHash(tenantId: string, kind: IntegrationKind, hash: string): Promise<IntegrationRecord | undefined>;
  delete(tenantId: string, id: string): Promise<boolean>;
}
