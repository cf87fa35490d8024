import type { ConnectorContext } from '@postern/connector-kit';
import { loadConfig, type Config } from './config.js';
import { loadMasterSecret } from './secret-file.js';
import { deriveKey, Keyring, parseMasterSecret } from './lib/crypto.js';
import { CodePolicyService } from './core/codes/policy.js';
import { VerificationCodes } from './core/codes/service.js';
import type { Random } from './core/codes/generate.js';
import { createRateLimits, type LimiterStore } from './storage/rate-limits.js';
import { Metrics } from './lib/metrics.js';
import { migrate, openDatabase, type Db } from './storage/db.js';
import { createStores } from './storage/stores/index.js';
import { systemClock, type Clock } from './core/ports.js';
import { Tenants } from './core/tenants.js';
import { AdminKeys } from './core/admin/keys.js';
import { SignInExperienceService } from './core/sign-in-experience.js';
import { ConnectorService } from './core/email/connectors.js';
import { EmailSender } from './core/email/sender.js';
import { TemplateService } from './core/email/template-renderer.js';
import { TemplateRenderer } from './core/templates/index.js';
import { BrandingService } from './core/branding.js';
import type { MessageRenderer } from './core/email/render.js';
import { DEFAULT_RULES, type DeliveryRules } from './core/delivery/pipeline.js';
import { createOutboundPolicy, type OutboundPolicy } from './core/delivery/outbound/index.js';
import { createRegistry, loadCustomConnectors } from './connectors/registry.js';
import { buildApp, type App } from './http/app.js';
import { createIdentityServices } from './core/identity/services.js';
import { DkimKeys } from './core/dkim-keys.js';
import { createResolver } from './core/deliverability/index.js';
import { ConfigBundles } from './core/config-bundle.js';
import type { Services } from './http/context.js';
import { randomUUID } from 'node:crypto';
import { BotProtectionService, EmailPolicyService } from './core/abuse/index.js';

export interface CreateOptions {
  clock?: Clock;
  /** PostgreSQL schema (tests). */
  schema?: string;
  deliveryRules?: Partial<DeliveryRules>;
  renderer?: MessageRenderer;
  random?: Random;
  /** Overrides where rate limits live (tests); default: Redis, else PostgreSQL, else memory. */
  limiterStore?: LimiterStore;
  /** Run the purge of expired codes on a timer (default true). */
  housekeeping?: boolean;
  /** How long a bot-protection siteverify call may take (default 5 s; tests shorten it). */
  captchaTimeoutMs?: number;
}

export interface Postern {
  services: Services;
  app: App;
  policy: OutboundPolicy;
  /** The system admin key generated on first start (print once), if any. */
  generatedAdminKey: string | undefined;
  generatedSecretPath: string | undefined;
  close(): Promise<void>;
}

/** Opens storage, runs migrations, wires every service and builds the app (not listening). */
export async function createPostern(config: Config, opts: CreateOptions = {}): Promise<Postern> {
  const clock = opts.clock ?? systemClock;
  const master = loadMasterSecret(config.secret, config.dataDir);
  const previous = config.previousSecrets.map((p) => {
    const b = parseMasterSecret(p);
    if (!b) throw new Error('POSTERN_SECRET_PREVIOUS: each entry must be at least 32 bytes, base64 or hex');
    return b;
  });
  const keyring = new Keyring([master.secret, ...previous]);
  const db: Db = openDatabase(config.databaseUrl, opts.schema ? { schema: opts.schema } : {});
  try {
    await migrate(db, opts.schema);
  } catch (err) {
    await db.close();
    throw err;
  }
  const stores = createStores(db, keyring);
  const metrics = new Metrics();
  const policy = createOutboundPolicy({ allow: config.outboundAllow });
  const custom = config.connectorsDir ? await loadCustomConnectors(config.connectorsDir) : [];
  const registry = createRegistry({ relayUrl: config.builtinRelay, fromAddress: `no-reply@${new URL(config.publicUrl).hostname}` }, custom);
  const mailbox = {
    async capture(m: { tenantId: string; to: string; subject: string; html: string; text: string; from: string }) {
      const id = randomUUID();
      await stores.mailbox.capture({ id, ...m, createdAt: clock.now().toISOString() });
      return { id };
    },
  };
  const makeContext = (tenantId: string): ConnectorContext => ({
    tenantId,
    fetch: policy.fetch,
    lookup: policy.lookup,
    assertDestination: policy.assertDestination,
    mailbox,
    publicUrl: config.publicUrl,
  });
  const signInExperience = new SignInExperienceService(stores.settings, stores.connectors, clock);
  const dkimKeys = new DkimKeys(stores.dkimKeys, stores.connectors, clock);
  const connectors = new ConnectorService(registry, stores.connectors, clock, makeContext, signInExperience, dkimKeys.hooks());
  const branding = new BrandingService(stores.settings, clock);
  const templateRenderer = new TemplateRenderer();
  const publicHost = new URL(config.publicUrl).hostname;
  const fallbackName = publicHost === 'localhost' || /^[\d.]+$|:/.test(publicHost) ? 'Postern' : publicHost;
  const templateService = new TemplateService(stores.templates, templateRenderer, branding, signInExperience, fallbackName);
  const renderer = opts.renderer ?? templateService;
  const sender = new EmailSender(connectors, renderer, stores.emailLogs, metrics, clock, { ...DEFAULT_RULES, ...opts.deliveryRules });
  const limiterStore: LimiterStore =
    opts.limiterStore ?? (config.redisUrl ? { kind: 'redis', url: config.redisUrl } : db.pool ? { kind: 'postgres', pool: db.pool } : { kind: 'memory' });
  const limits = await createRateLimits(limiterStore);
  await limits.ready();
  const policies = new CodePolicyService(stores.settings, clock);
  const codes = new VerificationCodes(stores.codes, policies, limits, sender, metrics, clock, deriveKey(master.secret, 'code-hmac'), opts.random);
  const tenants = new Tenants(stores.tenants, clock);
  const adminKeys = new AdminKeys(stores.adminKeys, clock, config.adminKey);
  await tenants.ensureDefault();
  await connectors.ensureDefaultConnector('default');
  const generatedAdminKey = await adminKeys.ensureBootstrapKey();
  // Siteverify failures are logged (no token or secret in them) once the app's logger exists.
  const late: { warn?: (msg: string, fields: Record<string, unknown>) => void } = {};
  const abuse = {
    botProtection: new BotProtectionService(stores.settings, keyring, clock, {
      fetch: policy.fetch,
      expectedHostname: config.publicUrlSet ? new URL(config.publicUrl).hostname : undefined,
      ...(opts.captchaTimeoutMs ? { timeoutMs: opts.captchaTimeoutMs } : {}),
      log: (msg, fields) => late.warn?.(msg, fields),
    }),
    emailPolicy: new EmailPolicyService(stores.settings, clock),
  };
  const base = {
    abuse,
    keyring,
    limits,
    deriveKey: (purpose: string) => deriveKey(master.secret, purpose),
    config,
    db,
    stores,
    clock,
    tenants,
    adminKeys,
    metrics,
    email: { registry, connectors, sender, renderer, signInExperience },
    templates: { templates: templateService, renderer: templateRenderer, branding },
    codes: { service: codes, policies },
    deliverability: { dkimKeys, resolve: createResolver(config.dnsServers) },
    bundles: new ConfigBundles({
      stores,
      clock,
      registry,
      connectors,
      renderer: templateRenderer,
      templates: templateService,
      branding,
      signInExperience,
      policies,
      transaction: (fn) => db.kysely.transaction().execute((trx) => fn(createStores({ ...db, kysely: trx }, keyring))),
    }),
  };
  const services: Services = { ...base, identity: await createIdentityServices(base) };
  // Housekeeping: expired and used codes and grants go in small batches, off the request path.
  const purgeTimer =
    opts.housekeeping === false
      ? undefined
      : setInterval(() => {
          void codes.purge().catch(() => undefined);
          void services.identity.purge().catch(() => undefined);
        }, 10 * 60_000);
  purgeTimer?.unref();
  const app = await buildApp(services, { logger: config.logLevel !== 'silent' });
  late.warn = (msg, fields) => app.log.warn(fields, msg);
  return {
    services,
    app,
    policy,
    generatedAdminKey,
    generatedSecretPath: master.generated ? master.path : undefined,
    async close() {
      if (purgeTimer) clearInterval(purgeTimer);
      await app.close();
      await limits.close();
      await services.identity.close?.();
      await connectors.closeAll();
      await policy.close();
      await db.close();
    },
  };
}

/** `postern start`: listen, print where things are, stop cleanly on SIGTERM/SIGINT. */
export async function start(env: NodeJS.ProcessEnv = process.env): Promise<Postern> {
  const config = loadConfig(env);
  const p = await createPostern(config);
  const address = await p.app.listen({ port: config.port, host: config.host });
  const base = config.publicUrl;
  const lines = [
    `Postern is listening on ${address}`,
    `  API docs:  ${base}/api/docs`,
    `  Console:   ${base}/console`,
    `  Database:  ${config.databaseUrl.startsWith('sqlite:') ? config.databaseUrl : config.databaseUrl.replace(/\/\/[^@/]*@/, '//…@')}`,
  ];
  if (p.generatedSecretPath) lines.push(`  Generated the master secret into ${p.generatedSecretPath} (mode 0600). Back it up: stored secrets are encrypted with it.`);
  if (p.generatedAdminKey) lines.push('', `  Admin key (shown once, store it now):`, `    ${p.generatedAdminKey}`, '');
  process.stdout.write(lines.join('\n') + '\n');
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    p.app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    try {
      await p.close();
      process.exit(0);
    } catch {
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  return p;
}
