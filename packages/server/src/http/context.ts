import type { Config } from '../config.js';
import type { Db } from '../storage/db.js';
import type { Clock, Stores } from '../core/ports.js';
import type { Tenants } from '../core/tenants.js';
import type { AdminKeys, AdminPrincipal } from '../core/admin/keys.js';
import type { Metrics } from '../lib/metrics.js';
import type { Keyring } from '../lib/crypto.js';
import type { Tenant } from '../core/ports.js';
import type { EmailServices } from '../core/email/services.js';
import type { TemplateDeps } from './routes/templates.js';
import type { VerificationCodes } from '../core/codes/service.js';
import type { CodePolicyService } from '../core/codes/policy.js';
import type { IdentityServices } from '../core/identity/services.js';
import type { DeliverabilityDeps } from './routes/deliverability.js';
import type { ConfigBundles } from '../core/config-bundle.js';
import type { AbuseServices } from '../core/abuse/index.js';

/** Everything the routes need, built once by main.ts (or by a test). */
export interface Services {
  config: Config;
  db: Db;
  stores: Stores;
  clock: Clock;
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
  /** Bot protection and the email domain policy (SPEC §19). */
  abuse: AbuseServices;
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
