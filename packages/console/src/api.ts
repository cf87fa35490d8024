/**
 * The console's calls to the management API (SPEC §2), through the typed client generated
 * from the server's OpenAPI document (`@postern/client`): the types below are the
 * document's, and every path, parameter and body is checked against it at compile time.
 * Errors are `PosternError` (`ApiError` here), with `code`, `status` and `details`.
 */
import {
  createPosternClient,
  PosternError,
  tenantPrefix,
  unwrap,
  type components,
  type operations,
  type PosternApi,
} from '@postern/client';
import { session } from './session.js';

export { PosternError as ApiError, tenantPrefix };
export type { ValidationIssue } from '@postern/client';

type Schemas = components['schemas'];
type JsonOf<R> = R extends { content: { 'application/json': infer T } } ? T : never;
/** The JSON body of an operation's success answer (200 or 201). */
type Answer<O extends keyof operations> = operations[O]['responses'] extends infer R
  ? R extends { 200: infer A }
    ? JsonOf<A>
    : R extends { 201: infer A }
      ? JsonOf<A>
      : never
  : never;
/** The JSON request body of an operation. */
type Body<O extends keyof operations> = operations[O] extends { requestBody?: infer B }
  ? JsonOf<NonNullable<B>>
  : never;

/** Credentials for one call: an admin key and the tenant it acts on. */
export interface Auth {
  key: string;
  tenantId: string;
}

/** The typed client for `auth` (default: the signed-in key and tenant); `root` calls outside any `/t/<tenant>`. */
function client(auth?: Auth, root = false): PosternApi {
  const a = auth ?? { key: session.key() ?? '', tenantId: session.tenantId() };
  return createPosternClient({
    baseUrl: window.location.origin,
    apiKey: a.key,
    ...(root ? {} : { tenant: a.tenantId }),
  }).api;
}

/** The data of a call, or its error answer thrown as `ApiError`. */
async function call<T>(request: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  try {
    return await unwrap(request);
  } catch (e) {
    if (e instanceof PosternError && e.code === 'network.error')
      throw new PosternError(0, 'network.error', 'The server could not be reached. Check that Postern is running.');
    throw e;
  }
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Every item of a list (SPEC 2): asks for pages until `nextCursor` is null. For the
 * bounded lists a screen shows whole; long ones (users, logs) page in the UI instead.
 */
export async function allPages<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>): Promise<Page<T>> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await fetchPage(cursor);
    items.push(...page.items);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return { items, nextCursor: null };
}

export type JsonSchema = Record<string, unknown>;
export type Config = Record<string, unknown>;

export type ConnectorFactory = Schemas['ConnectorFactory'];
export type Connector = Schemas['Connector'];
export type ConnectorRole = 'primary' | 'fallback';
/** One connector's circuit and recent results on the instance that answered (SPEC §15). */
export type ConnectorHealth = Schemas['ConnectorHealth'];
export type OutboxMessage = Schemas['OutboxMessage'];
export type OutboxState = OutboxMessage['state'];
export type TestSendResult = Answer<'testConnector'>;
export type SignInExperience = Schemas['SignInExperience'];

export type EmailStatus = Schemas['EmailLog']['status'];
export const EMAIL_STATUSES = ['sent', 'failed', 'captured', 'suppressed'] as const satisfies readonly EmailStatus[];
export type TemplateType = Schemas['EmailTemplate']['templateType'];
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
] as const satisfies readonly TemplateType[];
// The lists above name every value the document allows (a compile error here when the server adds one).
const _allListed: [
  Exclude<EmailStatus, (typeof EMAIL_STATUSES)[number]>,
  Exclude<TemplateType, (typeof TEMPLATE_TYPES)[number]>,
] extends [never, never]
  ? true
  : false = true;
void _allListed;

/** An effective template (`GET /api/email-templates`): the tenant's own, or the shipped default. */
export type EmailTemplate = Schemas['EmailTemplate'];
export type TemplateContent = Body<'saveEmailTemplate'>;
export type Preview = Answer<'previewEmailTemplate'>;
export type TemplateWarning = Preview['warnings'][number];

export type Branding = Schemas['Branding'];
export const BRANDING_FIELDS = [
  'senderName',
  'companyName',
  'companyInformation',
  'logoUrl',
  'darkLogoUrl',
  'primaryColor',
  'supportEmail',
] as const satisfies readonly (keyof Branding)[];

export type CodePolicy = Schemas['VerificationCodePolicy'];

/** Bot protection (SPEC §19); `secretKey` comes back masked (`••••` + its last 4 characters). */
export type BotProtection = Schemas['BotProtection'];
export type CaptchaProvider = BotProtection['provider'];
export type EmailPolicy = Schemas['EmailPolicy'];

export type DkimKey = Schemas['DkimKey'];
export type DomainCheck = Answer<'checkDomain'>;
export type CheckPart = DomainCheck['spf'];
export type CheckStatus = CheckPart['status'];

/** A settings bundle (docs/config-bundle.md); the console passes it through unchanged. */
export type ConfigBundle = Schemas['ConfigBundle'];
export type ImportResult = Answer<'importConfig'>;

export type EmailLog = Schemas['EmailLog'];
export type EmailLogWithMessage = Answer<'getEmailLog'>;
export type EmailLogMessage = Schemas['EmailLogMessage'];
export const SUPPRESSION_REASONS = ['manual', 'hard_bounce', 'complaint'] as const;
export type Suppression = Schemas['Suppression'];
export type Webhook = Schemas['Webhook'];
export type SmtpCredential = Schemas['SmtpCredential'];
export type NewSmtpCredential = Answer<'createSmtpCredential'>;
export type SmtpListener = Schemas['SmtpListener'];
export type WebhookEvent = Webhook['events'][number];
export type WebhookDelivery = Schemas['WebhookDelivery'];
export const WEBHOOK_EVENTS = [
  'email.sent',
  'email.failed',
  'email.delivered',
  'email.bounced',
  'email.complained',
  'email.suppressed',
  'user.created',
  'user.signed_in',
  'user.password_changed',
  'user.email_changed',
  'verification.failed_too_often',
  'verification.rate_limited',
] as const satisfies readonly WebhookEvent[];
export type MailboxSummary = Schemas['MailboxSummary'];
export type MailboxMessage = Schemas['MailboxMessage'];

export type Tenant = Schemas['Tenant'];
export type TenantType = Tenant['type'];
export type AdminKey = Schemas['AdminKey'];

export type User = Schemas['User'];
export type UserSession = Schemas['UserSession'];
export type Organization = Schemas['Organization'];
export type Application = Schemas['Application'];
export type ApplicationInput = Body<'createApplication'>;
export type ApplicationPatch = Body<'updateApplication'>;
export type Member = Answer<'listOrganizationMembers'>['items'][number];
export type Invitation = Schemas['OrganizationInvitation'] & {
  /** Only in the answers of invite and resend. */
  link?: string;
};
export type InvitationStatus = Invitation['status'];

const id = (value: string) => ({ params: { path: { id: value } } });

export const api = {
  /** Any call that needs the admin key: used to check a key while signing in. */
  checkKey: (auth: Auth) => call(client(auth).GET('/api/connectors')),

  connectorFactories: () => call(client().GET('/api/connector-factories')),
  connectors: () => call(client().GET('/api/connectors')),
  replaceEmailConnector: (factoryId: string, config: Config) =>
    call(client().PUT('/api/connectors/email', { body: { factoryId, config } })),
  testConnector: (factoryId: string, config: Config, to: string, role: ConnectorRole = 'primary') =>
    call(client().POST('/api/connectors/test', { body: role === 'fallback' ? { factoryId, config, to, role } : { factoryId, config, to } })),
  /** The fallback connector, or undefined when the tenant has none. */
  fallbackConnector: async () => {
    try {
      const { role: _role, ...fallback } = await call(client().GET('/api/connectors/email/fallback'));
      // Shaped like the primary, so the same set-up flow edits it; a fallback takes no events.
      const connector: Connector = { ...fallback, eventsUrl: null };
      return connector;
    } catch (e) {
      if (e instanceof PosternError && e.code === 'connector.not_found') return undefined;
      throw e;
    }
  },
  replaceFallbackConnector: (factoryId: string, config: Config) =>
    call(client().PUT('/api/connectors/email/fallback', { body: { factoryId, config } })),
  deleteFallbackConnector: () => call(client().DELETE('/api/connectors/email/fallback')),
  connectorHealth: () => call(client().GET('/api/connectors/health')),
  outbox: (q: { status?: OutboxState; cursor?: string | null }) => call(client().GET('/api/outbox', { params: { query: defined(q) } })),
  cancelOutboxMessage: (messageId: string) => call(client().DELETE('/api/outbox/{id}', id(messageId))),
  deleteConnector: (connectorId: string, force = false) =>
    call(
      client().DELETE('/api/connectors/{id}', {
        params: { path: { id: connectorId }, query: force ? { force: 'true' } : {} },
      }),
    ),

  signInExperience: () => call(client().GET('/api/sign-in-experience')),
  patchSignInExperience: (patch: Body<'updateSignInExperience'>) =>
    call(client().PATCH('/api/sign-in-experience', { body: patch })),

  emailLogs: (q: {
    status?: EmailStatus | '';
    templateType?: TemplateType | '';
    to?: string;
    search?: string;
    limit?: number;
    cursor?: string | null;
  }) => call(client().GET('/api/email-logs', { params: { query: defined(q) } })),
  emailLog: (logId: string) => call(client().GET('/api/email-logs/{id}', id(logId))),

  mailbox: (cursor?: string | null) => call(client().GET('/api/mailbox', { params: { query: defined({ cursor }) } })),
  mailboxMessage: (messageId: string) => call(client().GET('/api/mailbox/{id}', id(messageId))),
  clearMailbox: () => call(client().DELETE('/api/mailbox')),
  smtpCredentials: () => allPages((cursor) => call(client().GET('/api/smtp-credentials', { params: { query: defined({ limit: 200, cursor }) } }))),
  createSmtpCredential: (body: Body<'createSmtpCredential'>) => call(client().POST('/api/smtp-credentials', { body })),
  deleteSmtpCredential: (credentialId: string) => call(client().DELETE('/api/smtp-credentials/{id}', id(credentialId))),
  smtpListener: () => call(client().GET('/api/smtp-credentials/listener')),
  smtpCertificate: () => call(client().GET('/api/smtp-credentials/certificate')),
  integrations: () => allPages((cursor) => call(client().GET('/api/integrations', { params: { query: defined({ limit: 200, cursor }) } }))),
  createIntegration: (body: Body<'createIntegration'>) => call(client().POST('/api/integrations', { body })),
  deleteIntegration: (integrationId: string) => call(client().DELETE('/api/integrations/{id}', id(integrationId))),

  emailTemplates: (q: { locale?: string; templateType?: TemplateType } = {}) =>
    allPages((cursor) => call(client().GET('/api/email-templates', { params: { query: defined({ ...q, limit: 200, cursor }) } }))),
  saveTemplate: (locale: string, templateType: TemplateType, body: TemplateContent) =>
    call(
      client().PUT('/api/email-templates/{locale}/{templateType}', {
        params: { path: { locale, templateType } },
        body,
      }),
    ),
  revertTemplate: (locale: string, templateType: TemplateType) =>
    call(
      client().DELETE('/api/email-templates/{locale}/{templateType}', { params: { path: { locale, templateType } } }),
    ),
  preview: (body: Body<'previewEmailTemplate'>) => call(client().POST('/api/email-templates/preview', { body })),

  branding: () => call(client().GET('/api/branding')),
  patchBranding: (patch: Record<string, string | null>) => call(client().PATCH('/api/branding', { body: patch })),

  codePolicy: () => call(client().GET('/api/verification-code-policy')),
  patchCodePolicy: (patch: Partial<CodePolicy>) =>
    call(client().PATCH('/api/verification-code-policy', { body: patch })),

  botProtection: () => call(client().GET('/api/bot-protection')),
  patchBotProtection: (patch: Partial<BotProtection>) => call(client().PATCH('/api/bot-protection', { body: patch })),
  emailPolicy: () => call(client().GET('/api/email-policy')),
  patchEmailPolicy: (patch: Partial<EmailPolicy>) => call(client().PATCH('/api/email-policy', { body: patch })),

  dkimKeys: () => call(client().GET('/api/dkim-keys')),
  createDkimKey: (domain: string, selector: string) =>
    call(client().POST('/api/dkim-keys', { body: { domain, selector } })),
  deleteDkimKey: (keyId: string) => call(client().DELETE('/api/dkim-keys/{id}', id(keyId))),
  checkDomain: (domain: string, dkimSelector?: string) =>
    call(client().POST('/api/deliverability/check', { body: dkimSelector ? { domain, dkimSelector } : { domain } })),

  /** Export and import take the tenant explicitly: "Migrate to production" talks to two. */
  exportConfig: (auth?: Auth, includeSecrets = false) =>
    call(client(auth).GET('/api/config/export', { params: { query: { includeSecrets: includeSecrets ? 'true' : 'false' } } })),
  importConfig: (auth: Auth | undefined, body: Body<'importConfig'>) =>
    call(client(auth).POST('/api/config/import', { body })),

  tenants: (auth?: Auth) =>
    allPages((cursor) => call(client(auth, true).GET('/api/tenants', { params: { query: defined({ limit: 200, cursor }) } }))),
  createTenant: (body: Body<'createTenant'>) => call(client(undefined, true).POST('/api/tenants', { body })),

  users: (q: { search?: string; limit?: number; cursor?: string | null }) =>
    call(client().GET('/api/users', { params: { query: defined(q) } })),
  createUser: (body: Body<'createUser'>) => call(client().POST('/api/users', { body })),
  patchUser: (userId: string, patch: { name?: string | null; email?: string }) =>
    call(client().PATCH('/api/users/{id}', { ...id(userId), body: patch })),
  deleteUser: (userId: string) => call(client().DELETE('/api/users/{id}', id(userId))),
  user: (userId: string) => call(client().GET('/api/users/{id}', id(userId))),
  userSessions: (userId: string) =>
    allPages((cursor) => call(client().GET('/api/users/{id}/sessions', { params: { path: { id: userId }, query: defined({ limit: 200, cursor }) } }))),
  sendPasswordReset: (userId: string) => call(client().POST('/api/users/{id}/password-reset', id(userId))),
  revokeUserSessions: (userId: string) => call(client().DELETE('/api/users/{id}/sessions', id(userId))),
  revokeUserSession: (userId: string, sessionId: string) =>
    call(client().DELETE('/api/users/{id}/sessions/{sessionId}', { params: { path: { id: userId, sessionId } } })),

  organizations: (cursor?: string | null) =>
    call(client().GET('/api/organizations', { params: { query: defined({ limit: 100, cursor }) } })),
  createOrganization: (name: string) => call(client().POST('/api/organizations', { body: { name } })),
  members: (orgId: string) =>
    allPages((cursor) =>
      call(client().GET('/api/organizations/{id}/members', { params: { path: { id: orgId }, query: defined({ limit: 200, cursor }) } })),
    ),
  invitations: (orgId: string) =>
    allPages((cursor) =>
      call(client().GET('/api/organizations/{id}/invitations', { params: { path: { id: orgId }, query: defined({ limit: 200, cursor }) } })),
    ),
  invite: (orgId: string, body: Body<'createOrganizationInvitation'>) =>
    call(client().POST('/api/organizations/{id}/invitations', { ...id(orgId), body })),
  resendInvitation: (invitationId: string) =>
    call(client().POST('/api/organization-invitations/{id}/resend', id(invitationId))),
  revokeInvitation: (invitationId: string) =>
    call(client().DELETE('/api/organization-invitations/{id}', id(invitationId))),

  adminKeys: () => allPages((cursor) => call(client().GET('/api/admin-keys', { params: { query: defined({ limit: 200, cursor }) } }))),
  createAdminKey: (name: string) => call(client().POST('/api/admin-keys', { body: { name } })),
  deleteAdminKey: (keyId: string) => call(client().DELETE('/api/admin-keys/{id}', id(keyId))),
  rotateAdminKey: (keyId: string) => call(client().POST('/api/admin-keys/{id}/rotate', id(keyId))),

  suppressions: (q: { email?: string; limit?: number; cursor?: string | null }) =>
    call(client().GET('/api/suppressions', { params: { query: defined(q) } })),
  addSuppression: (email: string, reason: Suppression['reason']) =>
    call(client().POST('/api/suppressions', { body: { email, reason } })),
  removeSuppression: (email: string) => call(client().DELETE('/api/suppressions/{email}', { params: { path: { email } } })),
  webhooks: () => allPages((cursor) => call(client().GET('/api/webhooks', { params: { query: defined({ limit: 200, cursor }) } }))),
  createWebhook: (body: Body<'createWebhook'>) => call(client().POST('/api/webhooks', { body })),
  updateWebhook: (webhookId: string, body: Body<'updateWebhook'>) =>
    call(client().PATCH('/api/webhooks/{id}', { ...id(webhookId), body })),
  deleteWebhook: (webhookId: string) => call(client().DELETE('/api/webhooks/{id}', id(webhookId))),
  rotateWebhookSecret: (webhookId: string) => call(client().POST('/api/webhooks/{id}/secret', id(webhookId))),
  testWebhook: (webhookId: string) => call(client().POST('/api/webhooks/{id}/test', id(webhookId))),
  webhookDeliveries: (webhookId: string, cursor?: string | null) =>
    call(client().GET('/api/webhooks/{id}/deliveries', { params: { path: { id: webhookId }, query: defined({ limit: 50, cursor }) } })),
  redeliverWebhook: (webhookId: string, deliveryId: string) =>
    call(client().POST('/api/webhooks/{id}/deliveries/{did}/redeliver', { params: { path: { id: webhookId, did: deliveryId } } })),
  applications: () => allPages((cursor) => call(client().GET('/api/applications', { params: { query: defined({ limit: 200, cursor }) } }))),
  application: (appId: string) => call(client().GET('/api/applications/{id}', id(appId))),
  createApplication: (body: ApplicationInput) => call(client().POST('/api/applications', { body })),
  updateApplication: (appId: string, body: ApplicationPatch) =>
    call(client().PATCH('/api/applications/{id}', { ...id(appId), body })),
  deleteApplication: (appId: string) => call(client().DELETE('/api/applications/{id}', id(appId))),
  rotateApplicationSecret: (appId: string) => call(client().POST('/api/applications/{id}/secret', id(appId))),
  /** The tenant's issuer, as its discovery document names it (POSTERN_PUBLIC_URL based). */
  issuer: async () => {
    const res = await fetch(`${window.location.origin}${tenantPrefix(session.tenantId())}/oidc/.well-known/openid-configuration`);
    if (!res.ok) throw new Error(`The OpenID discovery document could not be read (HTTP ${res.status}).`);
    return ((await res.json()) as { issuer: string }).issuer;
  },
  newEventsCredentials: (connectorId: string) =>
    call(client().POST('/api/connectors/{id}/events-credentials', id(connectorId))),
};

/** The query without empty values (`undefined`, `null`, `''`), which the API would refuse or misread. */
function defined<T extends Record<string, unknown>>(q: T): { [K in keyof T]?: Exclude<T[K], null | ''> } {
  return Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined && v !== null && v !== '')) as {
    [K in keyof T]?: Exclude<T[K], null | ''>;
  };
}

/** The plain-words names of the settings listed in `details.dependents` / `details.fields`. */
export const DEPENDENT_LABELS: Record<string, string> = {
  'signUp.email': 'Sign-up by email',
  'signIn.emailVerificationCode': 'Sign-in with an email code',
  'signIn.emailMagicLink': 'Sign-in with an email link',
  'forgotPassword.email': 'Password reset by email',
  'mfa.email': 'Email MFA',
};
