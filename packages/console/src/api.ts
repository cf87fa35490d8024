/**
 * The typed client of the management API (SPEC §2). Every call goes through `request()`,
 * which adds the admin key and the tenant prefix and turns error bodies into `ApiError`.
 */
import { session } from './session.js';

export interface ValidationIssue {
  path: string;
  message: string;
}

/** An error answer of the API: `{code, message, details}` plus the HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** `details.issues` of a validation failure, if any. */
  get issues(): ValidationIssue[] {
    const raw = this.details.issues;
    if (!Array.isArray(raw)) return [];
    return raw.filter((i): i is ValidationIssue => !!i && typeof i === 'object' && typeof i.path === 'string' && typeof i.message === 'string');
  }

  /** A string array in `details` (`fields`, `dependents`, `warnings`). */
  list(key: string): string[] {
    const raw = this.details[key];
    return Array.isArray(raw) ? raw.filter((x): x is string => typeof x === 'string') : [];
  }
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined | null>;
  /** Call at the root instead of under `/t/<tenant>` (system routes such as /api/tenants). */
  root?: boolean;
  /** Override the stored credentials (used while signing in). */
  auth?: { key: string; tenantId: string };
}

/** `/t/<id>` for a tenant other than `default`, else the empty string. */
export function tenantPrefix(tenantId: string): string {
  return tenantId === 'default' ? '' : `/t/${encodeURIComponent(tenantId)}`;
}

export async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const auth = opts.auth ?? { key: session.key() ?? '', tenantId: session.tenantId() };
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  const search = qs.toString();
  const url = (opts.root ? '' : tenantPrefix(auth.tenantId)) + path + (search ? `?${search}` : '');
  const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${auth.key}` };
  // A content type without a body is itself a validation error on this API.
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(url, { method: opts.method ?? 'GET', headers, body: opts.body === undefined ? null : JSON.stringify(opts.body) });
  } catch {
    throw new ApiError(0, 'network.error', 'The server could not be reached. Check that Postern is running.');
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    const b = (parsed && typeof parsed === 'object' ? parsed : {}) as { code?: unknown; message?: unknown; details?: unknown };
    throw new ApiError(
      res.status,
      typeof b.code === 'string' ? b.code : `http.${res.status}`,
      typeof b.message === 'string' ? b.message : `The server answered ${res.status}.`,
      b.details && typeof b.details === 'object' ? (b.details as Record<string, unknown>) : {},
    );
  }
  return parsed as T;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type JsonSchema = Record<string, unknown>;
export type Config = Record<string, unknown>;

export interface ConnectorFactory {
  id: string;
  name: string;
  description: string;
  logo: string;
  readme: string;
  configSchema: JsonSchema;
  capabilities: { customTemplates: boolean; providerTemplates: boolean; customSender: boolean };
}

export interface Connector {
  id: string;
  factoryId: string;
  type: 'email';
  config: Config;
  createdAt: string;
  updatedAt: string;
}

export type ConnectorRole = 'primary' | 'fallback';

/** One connector's circuit and recent results on the instance that answered (SPEC §15). */
export interface ConnectorHealth {
  role: ConnectorRole;
  factoryId: string;
  circuit: 'closed' | 'open' | 'half-open';
  lastError: { code: string; message: string; at: string } | null;
  sent5m: number;
  failed5m: number;
  p95Ms: number | null;
}

export type OutboxState = 'queued' | 'sending' | 'sent' | 'failed' | 'cancelled';
export interface OutboxMessage {
  id: string;
  state: OutboxState;
  source: string;
  templateType: string;
  to: string;
  attempts: number;
  nextAttemptAt: string | null;
  leaseUntil: string | null;
  notAfter: string;
  lastError: { code: string; message: string } | null;
  providerMessageId: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export interface TestSendResult {
  ok: true;
  providerMessageId: string | null;
  durationMs: number;
  attempts: number;
}

export interface SignInExperience {
  signUp: { enabled: boolean; identifiers: 'email'[]; password: boolean };
  signIn: { methods: { identifier: 'email'; password: boolean; verificationCode: boolean }[] };
  forgotPassword: { email: boolean };
  mfa: { factors: 'email'[]; policy: 'off' | 'user-controlled' | 'mandatory' };
  languages: { default: string; autoDetect: boolean };
  passwordPolicy: { minLength: number };
}

export const EMAIL_STATUSES = ['sent', 'failed', 'captured', 'suppressed'] as const;
export type EmailStatus = (typeof EMAIL_STATUSES)[number];
export const TEMPLATE_TYPES = ['SignIn', 'Register', 'ForgotPassword', 'Generic', 'OrganizationInvitation', 'UserPermissionValidation', 'BindNewIdentifier', 'MfaVerification', 'BindMfa'] as const;

export type TemplateType = (typeof TEMPLATE_TYPES)[number];

/** An effective template (`GET /api/email-templates`): the tenant's own, or the shipped default. */
export interface EmailTemplate {
  locale: string;
  templateType: TemplateType;
  subject: string;
  html: string;
  text: string | null;
  replyTo: string | null;
  senderName: string | null;
  isDefault: boolean;
  updatedAt: string | null;
}
export interface TemplateContent {
  subject: string;
  html: string;
  text: string | null;
  replyTo: string | null;
  senderName: string | null;
}
export interface TemplateWarning {
  code: string;
  message: string;
  field?: string;
}
export interface Preview {
  subject: string;
  html: string;
  text: string;
  warnings: TemplateWarning[];
}

export const BRANDING_FIELDS = ['senderName', 'companyName', 'companyInformation', 'logoUrl', 'darkLogoUrl', 'primaryColor', 'supportEmail'] as const;
export type Branding = Partial<Record<(typeof BRANDING_FIELDS)[number], string>>;

export interface CodePolicy {
  length: number;
  alphabet: 'numeric' | 'alphanumeric';
  ttlSeconds: number;
  maxAttempts: number;
  resendCooldownSeconds: number;
  maxSendsPerRecipientPerHour: number;
  maxSendsPerIpPerHour: number;
  lockout: { maxFailures: number; windowSeconds: number; lockSeconds: number };
  testAddresses: { email: string; code: string }[];
}

export interface DkimKey {
  id: string;
  domain: string;
  selector: string;
  dnsName: string;
  dnsValue: string;
  /** `dnsValue` split into strings of at most 255 characters, as a TXT record holds them. */
  dnsStrings: string[];
  createdAt: string;
}
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'missing';
export interface CheckPart {
  status: CheckStatus;
  record: string | null;
  issues: string[];
}
export interface DomainCheck {
  spf: CheckPart;
  dkim: CheckPart;
  dmarc: CheckPart;
  advice: string[];
}

/** A settings bundle (docs/config-bundle.md); the console passes it through unchanged. */
export interface ConfigBundle {
  version: 1;
  tenant: { id: string; type: TenantType };
  connector: { factoryId: string; config: Config; omittedSecrets?: string[] } | null;
  [key: string]: unknown;
}
export interface ImportResult {
  changes: { path: string; action: 'add' | 'update' | 'remove' }[];
  applied: boolean;
}

export interface EmailLog {
  id: string;
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
}

export interface MailboxSummary {
  id: string;
  to: string;
  from: string;
  subject: string;
  createdAt: string;
}
export interface MailboxMessage extends MailboxSummary {
  html: string;
  text: string;
}

export type TenantType = 'development' | 'production';
export interface Tenant {
  id: string;
  name: string;
  type: TenantType;
  createdAt: string;
}

export interface AdminKey {
  id: string;
  name: string;
  tenantId: string | null;
  createdAt: string;
}

export interface User {
  id: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  hasPassword: boolean;
  mfa: { email: boolean };
  createdAt: string;
  updatedAt: string;
}
export interface Organization {
  id: string;
  name: string;
  createdAt: string;
}
export interface Member {
  userId: string;
  email: string | null;
  name: string | null;
  createdAt: string;
}
export type InvitationStatus = 'pending' | 'accepted' | 'revoked' | 'expired';
export interface Invitation {
  id: string;
  organizationId: string;
  email: string;
  status: InvitationStatus;
  inviterId: string | null;
  expiresAt: string;
  createdAt: string;
  /** Only in the answers of invite and resend. */
  link?: string;
}

const enc = encodeURIComponent;

export const api = {
  connectorFactories: () => request<ConnectorFactory[]>('/api/connector-factories'),
  connectors: () => request<{ items: Connector[] }>('/api/connectors'),
  replaceEmailConnector: (factoryId: string, config: Config) => request<Connector>('/api/connectors/email', { method: 'PUT', body: { factoryId, config } }),
  testConnector: (factoryId: string, config: Config, to: string, role: ConnectorRole = 'primary') =>
    request<TestSendResult>('/api/connectors/test', { method: 'POST', body: role === 'fallback' ? { factoryId, config, to, role } : { factoryId, config, to } }),
  /** The fallback connector, or undefined when the tenant has none. */
  fallbackConnector: async () => {
    try {
      return await request<Connector>('/api/connectors/email/fallback');
    } catch (e) {
      if (e instanceof ApiError && e.code === 'connector.not_found') return undefined;
      throw e;
    }
  },
  replaceFallbackConnector: (factoryId: string, config: Config) => request<Connector>('/api/connectors/email/fallback', { method: 'PUT', body: { factoryId, config } }),
  deleteFallbackConnector: () => request<{ deleted: true }>('/api/connectors/email/fallback', { method: 'DELETE' }),
  connectorHealth: () => request<{ items: ConnectorHealth[] }>('/api/connectors/health'),
  outbox: (q: { status?: OutboxState; cursor?: string | null }) => request<Page<OutboxMessage>>('/api/outbox', { query: q }),
  cancelOutboxMessage: (id: string) => request<OutboxMessage>(`/api/outbox/${enc(id)}`, { method: 'DELETE' }),
  deleteConnector: (id: string, force = false) =>
    request<{ deleted: true; warnings: string[]; fallbackConnector?: { id: string; factoryId: string; promoted: false; message: string } }>(`/api/connectors/${enc(id)}`, { method: 'DELETE', query: force ? { force: 'true' } : {} }),

  signInExperience: () => request<SignInExperience>('/api/sign-in-experience'),
  patchSignInExperience: (patch: Partial<SignInExperience>) => request<SignInExperience>('/api/sign-in-experience', { method: 'PATCH', body: patch }),

  emailLogs: (q: { status?: string; templateType?: string; to?: string; limit?: number; cursor?: string | null }) => request<Page<EmailLog>>('/api/email-logs', { query: q }),

  mailbox: (cursor?: string | null) => request<Page<MailboxSummary>>('/api/mailbox', { query: { cursor } }),
  mailboxMessage: (id: string) => request<MailboxMessage>(`/api/mailbox/${enc(id)}`),
  clearMailbox: () => request<void>('/api/mailbox', { method: 'DELETE' }),

  emailTemplates: (q: { locale?: string; templateType?: string } = {}) => request<{ items: EmailTemplate[] }>('/api/email-templates', { query: q }),
  saveTemplate: (locale: string, type: string, body: TemplateContent) => request<EmailTemplate>(`/api/email-templates/${enc(locale)}/${enc(type)}`, { method: 'PUT', body }),
  revertTemplate: (locale: string, type: string) => request<void>(`/api/email-templates/${enc(locale)}/${enc(type)}`, { method: 'DELETE' }),
  preview: (body: { locale: string; templateType: string; subject?: string; html?: string; text?: string }) => request<Preview>('/api/email-templates/preview', { method: 'POST', body }),

  branding: () => request<Branding>('/api/branding'),
  patchBranding: (patch: Record<string, string | null>) => request<Branding>('/api/branding', { method: 'PATCH', body: patch }),

  codePolicy: () => request<CodePolicy>('/api/verification-code-policy'),
  patchCodePolicy: (patch: Partial<CodePolicy>) => request<CodePolicy>('/api/verification-code-policy', { method: 'PATCH', body: patch }),

  dkimKeys: () => request<{ items: DkimKey[] }>('/api/dkim-keys'),
  createDkimKey: (domain: string, selector: string) => request<DkimKey>('/api/dkim-keys', { method: 'POST', body: { domain, selector } }),
  deleteDkimKey: (id: string) => request<void>(`/api/dkim-keys/${enc(id)}`, { method: 'DELETE' }),
  checkDomain: (domain: string, dkimSelector?: string) => request<DomainCheck>('/api/deliverability/check', { method: 'POST', body: dkimSelector ? { domain, dkimSelector } : { domain } }),

  /** Export and import take the tenant explicitly: "Migrate to production" talks to two. */
  exportConfig: (auth?: RequestOptions['auth']) => request<ConfigBundle>('/api/config/export', auth ? { auth } : {}),
  importConfig: (auth: RequestOptions['auth'], body: { bundle: ConfigBundle; dryRun: boolean; secrets?: Record<string, string> }) => request<ImportResult>('/api/config/import', { method: 'POST', body, ...(auth ? { auth } : {}) }),

  tenants: (auth?: RequestOptions['auth']) => request<Page<Tenant>>('/api/tenants', { root: true, query: { limit: 200 }, ...(auth ? { auth } : {}) }),
  createTenant: (body: { id: string; name: string; type: TenantType }) => request<Tenant>('/api/tenants', { method: 'POST', body, root: true }),

  users: (q: { search?: string; limit?: number; cursor?: string | null }) => request<Page<User>>('/api/users', { query: q }),
  createUser: (body: { email: string; password?: string; name?: string }) => request<User>('/api/users', { method: 'POST', body }),
  patchUser: (id: string, patch: { name?: string | null; email?: string }) => request<User>(`/api/users/${enc(id)}`, { method: 'PATCH', body: patch }),
  deleteUser: (id: string) => request<void>(`/api/users/${enc(id)}`, { method: 'DELETE' }),

  organizations: (cursor?: string | null) => request<Page<Organization>>('/api/organizations', { query: { limit: 100, cursor } }),
  createOrganization: (name: string) => request<Organization>('/api/organizations', { method: 'POST', body: { name } }),
  members: (orgId: string) => request<Page<Member>>(`/api/organizations/${enc(orgId)}/members`, { query: { limit: 200 } }),
  invitations: (orgId: string) => request<Page<Invitation>>(`/api/organizations/${enc(orgId)}/invitations`, { query: { limit: 200 } }),
  invite: (orgId: string, body: { email: string; expiresInSeconds?: number }) => request<Invitation>(`/api/organizations/${enc(orgId)}/invitations`, { method: 'POST', body }),
  resendInvitation: (id: string) => request<Invitation>(`/api/organization-invitations/${enc(id)}/resend`, { method: 'POST' }),
  revokeInvitation: (id: string) => request<void>(`/api/organization-invitations/${enc(id)}`, { method: 'DELETE' }),

  adminKeys: () => request<Page<AdminKey>>('/api/admin-keys', { query: { limit: 200 } }),
  createAdminKey: (name: string) => request<AdminKey & { key: string }>('/api/admin-keys', { method: 'POST', body: { name } }),
  deleteAdminKey: (id: string) => request<void>(`/api/admin-keys/${enc(id)}`, { method: 'DELETE' }),
};

/** The plain-words names of the settings listed in `details.dependents` / `details.fields`. */
export const DEPENDENT_LABELS: Record<string, string> = {
  'signUp.email': 'Sign-up by email',
  'signIn.emailVerificationCode': 'Sign-in with an email code',
  'forgotPassword.email': 'Password reset by email',
  'mfa.email': 'Email MFA',
};
