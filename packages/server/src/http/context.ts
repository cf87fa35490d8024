import type { Config } from '../config.js';
import type { Clock } from '../core/ports.js';
import type { Mailbox } from '../core/mailbox.js';
import type { Tenants } from '../core/tenants.js';
import type { AdminKeys, AdminPrincipal } from '../core/admin/keys.js';
import type { Metrics } from '../lib/metrics.js';
import type { Keyring } from '../lib/crypto.js';
import type { Tenant } from '../core/ports.js';
import type { EmailServices } from '../core/delivery/services.js';
import type { TemplateService } from '../core/templates/service.js';
import type { TemplateRenderer } from '../core/templates/index.js';
import type { BrandingService } from '../core/branding.js';
import type { DkimKeys } from '../core/deliverability/dkim-keys.js';
import type { DomainChecks } from '../core/deliverability/domain-check.js';
import type { VerificationCodes } from '../core/codes/service.js';
import type { CodePolicyService } from '../core/codes/policy.js';
import type { IdentityServices } from '../core/identity/services.js';
import type { ConfigBundles } from '../core/config-bundle.js';
import type { ProviderEvents } from '../core/events/service.js';
import type { Suppressions } from '../core/events/suppressions.js';
import type { Outbox } from '../core/delivery/outbox.js';
import type { Messages } from '../core/delivery/messages.js';
import type { Integrations } from '../core/integrations/service.js';
import type { Applications } from '../core/applications/service.js';
import type { OidcStore } from '../core/applications/ports.js';
import type { Webhooks } from '../core/webhooks/service.js';
import type { SmtpCredentials } from '../core/smtp/credentials.js';

export interface TemplateDeps {
  templates: TemplateService;
  renderer: TemplateRenderer;
  branding: BrandingService;
}

export interface DeliverabilityDeps {
  dkimKeys: DkimKeys;
  domains: DomainChecks;
}
import type { AbuseServices } from '../core/abuse/index.js';

/** Everything the routes need, built once by main.ts (or by a test). */
export interface Services {
  config: Config;
  clock: Clock;
  /** Throws when the database cannot be reached (readiness). */
  pingDatabase(): Promise<void>;
  mailbox: Mailbox;
  tenants: Tenants;
  adminKeys: AdminKeys;
  metrics: Metrics;
  /** Rate limits and lockouts (in-process, PostgreSQL or Redis). */
  limits: { ping(): Promise<void> };
  /** Encrypts secrets at rest (AES-256-GCM under a key derived from POSTERN_SECRET). */
  keyring: Keyring;
  /** Derives further purpose-bound keys from POSTERN_SECRET. */
  deriveKey(purpose: string): Buffer;
  email: EmailServices;
  templates: TemplateDeps;
  codes: { service: VerificationCodes; policies: CodePolicyService };
  identity: IdentityServices;
  deliverability: DeliverabilityDeps;
  bundles: ConfigBundles;
  /** Provider events in and the suppression list (SPEC §16). */
  events: { providerEvents: ProviderEvents; suppressions: Suppressions };
  /** Durable delivery (SPEC §15). */
  outbox: Outbox;
  /** Messages whose variables the caller supplies (POST /api/messages, SPEC §18). */
  messages: Messages;
  /** Hooks of other auth systems (SPEC §18). */
  integrations: Integrations;
  /** Trims email logs, finished outbox rows, the mailbox and rate-limit rows (SPEC §15). */
  retention: { run(): Promise<unknown> };
  /** Applications and the storage behind each tenant's OpenID Provider (SPEC §17). */
  oidc: { applications: Applications; store: OidcStore };
  /** Bot protection and the email domain policy (SPEC §19). */
  abuse: AbuseServices;
  /** Event webhooks out (SPEC §16); `emit` is how a feature reports an event. */
  webhooks: Webhooks;
  /** SMTP submission (SPEC §18): credentials, the listener's certificate and where it listens (undefined when it is off). */
  smtp: {
    credentials: SmtpCredentials;
    certificate(): { cert: string; fingerprint: string; origin: 'configured' | 'generated' } | undefined;
    listener(): SmtpListenerState | undefined;
  };
}

/** Where the SMTP submission listener takes mail, as a client must be told. */
export interface SmtpListenerState {
  /** The host name clients should connect to (the public URL's, which the generated certificate names). */
  host: string;
  /** The address it is bound to (POSTERN_SMTP_HOST, else HOST). */
  listenHost: string;
  /** STARTTLS submission port, if on. */
  port: number | undefined;
  /** Implicit-TLS port, if on. */
  smtpsPort: number | undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    tenantId: string;
    tenant: Tenant;
    principal: AdminPrincipal | undefined;
  }
  interface FastifyContextConfig {
    /** 'admin' (default under /api), 'system' (system key only), 'public' (no key). */
    auth?: 'admin' | 'system' | 'public';
  }
}
