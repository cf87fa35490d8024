import type { ConnectorContext } from '@postern/connector-kit';
import { loadConfig, type Config } from './config.js';
import { loadMasterSecret } from './secret-file.js';
import { deriveKey, Keyring, parseMasterSecret } from './lib/crypto.js';
import { CodePolicyService } from './core/codes/policy.js';
import { VerificationCodes } from './core/codes/service.js';
import type { Random } from './core/codes/generate.js';
import { createRateLimits, type LimiterStore } from './storage/rate-limits.js';
import { Metrics } from './lib/metrics.js';
import { migrate, openDatabase, ping, type Db } from './storage/db.js';
import { createStores } from './storage/stores/index.js';
import { createIdentityStores } from './storage/stores/identity/index.js';
import { systemClock, type Clock, type Stores } from './core/ports.js';
import { Mailbox } from './core/mailbox.js';
import { EmailLogs } from './core/delivery/email-logs.js';
import { ConnectorTestSend } from './core/delivery/test-send.js';
import { DomainChecks } from './core/deliverability/domain-check.js';
import { Tenants } from './core/tenants.js';
import { AdminKeys } from './core/admin/keys.js';
import { SignInExperienceService } from './core/sign-in-experience.js';
import { ConnectorService } from './core/connectors/service.js';
import { EmailSender } from './core/delivery/sender.js';
import { TemplateService } from './core/templates/service.js';
import { TemplateRenderer } from './core/templates/index.js';
import { BrandingService } from './core/branding.js';
import type { MessageRenderer } from './core/delivery/render.js';
import { DEFAULT_RULES, type DeliveryRules } from './core/delivery/attempts.js';
import { createOutboundPolicy, type OutboundPolicy } from './outbound/index.js';
import { createRegistry, loadCustomConnectors } from './connectors/registry.js';
import { buildApp, type App } from './http/app.js';
import { createIdentityServices } from './core/identity/services.js';
import { DkimKeys } from './core/deliverability/dkim-keys.js';
import { createResolver } from './core/deliverability/index.js';
import { ConfigBundles } from './core/config-bundle.js';
import type { Services } from './http/context.js';
import { ProviderEvents } from './core/events/service.js';
import { Suppressions } from './core/events/suppressions.js';
import { SqlSuppressionStore } from './storage/stores/suppressions.js';
import { SqlProviderEventStore } from './storage/stores/provider-events.js';
import { createLogger } from './lib/logger.js';
import { startTracing, stopTracing } from './lib/tracing.js';
import { ambientCredentialsRule } from './core/connectors/ambient-credentials.js';
import { DEFAULT_OUTBOX_OPTIONS, Outbox, type OutboxOptions } from './core/delivery/outbox.js';
import { SqlOutboxStore } from './storage/stores/outbox.js';
import { Messages } from './core/delivery/messages.js';
import { Integrations } from './core/integrations/service.js';
import { registerDeliveryGauges } from './core/delivery/gauges.js';
import { Retention } from './storage/retention.js';
import { SqlApplicationStore } from './storage/stores/applications.js';
import { SqlOidcStore } from './storage/stores/oidc.js';
import { Applications } from './core/applications/service.js';
import { Circuits, DEFAULT_CIRCUIT, type CircuitRules } from './core/delivery/circuit.js';
import { Prepared } from './storage/prepared.js';
import { BotProtectionService, EmailPolicyService } from './core/abuse/index.js';
import { Webhooks, type WebhookOptions } from './core/webhooks/service.js';
import { SqlWebhookStore } from './storage/stores/webhooks.js';
import { SmtpCredentials } from './core/smtp/credentials.js';
import { SqlSmtpCredentialStore } from './storage/stores/smtp-credentials.js';
import type { ListenerCertificate } from './smtp/certificate.js';
import type { SmtpListener } from './smtp/listener.js';

export interface CreateOptions {
  clock?: Clock;
  /** PostgreSQL schema (tests). */
  schema?: string;
  deliveryRules?: Partial<DeliveryRules>;
  renderer?: MessageRenderer;
  random?: Random;
  /** Overrides where rate limits live (tests); default: Redis, else PostgreSQL, else memory. */
  limiterStore?: LimiterStore;
  /** Extra CA certificates (PEM) the outbound policy trusts: a test peer's certificate. */
  outboundCa?: string[];
  /** Run the purge of expired codes on a timer (default true). */
  housekeeping?: boolean;
  /** Outbox timings (tests shorten them). */
  outbox?: Partial<OutboxOptions>;
  /** Circuit breaker thresholds (tests shorten them). */
  circuit?: Partial<CircuitRules>;
  /** Run the outbox worker (default true). */
  outboxWorker?: boolean;
  /** Event webhook timings (tests shorten them). */
  webhooks?: Partial<WebhookOptions>;
  /** How long a bot-protection siteverify call may take (default 5 s; tests shorten it). */
  captchaTimeoutMs?: number;
}

/** The routes' services plus the storage they are built on (for tests and the CLI). */
export type WiredServices = Services & { db: Db; stores: Stores };

export interface Postern {
  services: WiredServices;
  app: App;
  policy: OutboundPolicy;
  /** The system admin key generated on first start (print once), if any. */
  generatedAdminKey: string | undefined;
  generatedSecretPath: string | undefined;
  /** The SMTP submission listener (SPEC §18), not yet listening; undefined when it is off. */
  smtp: SmtpListener | undefined;
  close(): Promise<void>;
}

/** Opens storage, runs migrations, wires every service and builds the app (not listening). */
export async function createPostern(config: Config, opts: CreateOptions = {}): Promise<Postern> {
  const clock = opts.clock ?? systemClock;
  const logger = await createLogger(config);
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
  const policy = createOutboundPolicy({ allow: config.outboundAllow, ...(opts.outboundCa ? { ca: opts.outboundCa } : {}) });
  const custom = config.connectorsDir ? await loadCustomConnectors(config.connectorsDir) : [];
  const registry = createRegistry({ relayUrl: config.builtinRelay, fromAddress: `no-reply@${new URL(config.publicUrl).hostname}` }, custom);
  const mailbox = new Mailbox(stores.mailbox, clock);
  const allowsAmbient = (tenantId: string) => config.awsAmbientTenants.includes('*') || config.awsAmbientTenants.includes(tenantId);
  const makeContext = (tenantId: string): ConnectorContext => ({
    tenantId,
    fetch: policy.fetch,
    lookup: policy.lookup,
    assertDestination: policy.assertDestination,
    mailbox,
    publicUrl: config.publicUrl,
    ambientCredentials: allowsAmbient(tenantId),
  });
  const signInExperience = new SignInExperienceService(stores.settings, stores.connectors, clock);
  const dkimKeys = new DkimKeys(stores.dkimKeys, stores.connectors, clock, (c) => {
    const f = registry.get(c.factoryId);
    return { keyId: f?.dkimKeyId?.(c.config), connectorName: f?.name ?? c.factoryId };
  });
  const connectors = new ConnectorService(registry, stores.connectors, clock, makeContext, signInExperience, dkimKeys, { checkConfig: ambientCredentialsRule(allowsAmbient) });
  const branding = new BrandingService(stores.settings, clock);
  const templateRenderer = new TemplateRenderer();
  const publicHost = new URL(config.publicUrl).hostname;
  const fallbackName = publicHost === 'localhost' || /^[\d.]+$|:/.test(publicHost) ? 'Postern' : publicHost;
  const templateService = new TemplateService(stores.templates, templateRenderer, branding, signInExperience, fallbackName, undefined, clock);
  const renderer = opts.renderer ?? templateService;
  const webhooks = new Webhooks({
    store: new SqlWebhookStore(db.kysely, db.dialect),
    keyring,
    clock,
    fetch: policy.fetch,
    assertDestination: policy.assertDestination,
    allowsHost: policy.allowsHost,
    countAttempt: (outcome) => metrics.webhookDeliveries.inc({ outcome }),
    ...(opts.webhooks ? { options: opts.webhooks } : {}),
  });
  const suppressions = new Suppressions(new SqlSuppressionStore(db.kysely, new Prepared(db.kysely, db.sqlite, db.pool)), clock);
  const fallback = new ConnectorService(registry, stores.fallbackConnectors, clock, makeContext, signInExperience, dkimKeys, { checkConfig: ambientCredentialsRule(allowsAmbient) });
  const circuits = new Circuits(clock, { ...DEFAULT_CIRCUIT, ...opts.circuit });
  const sender = new EmailSender(connectors, renderer, stores.emailLogs, metrics, clock, { ...DEFAULT_RULES, ...opts.deliveryRules }, suppressions, logger, { fallback, circuits }, webhooks, (tenantId, domain) => dkimKeys.forDomain(tenantId, domain));
  const providerEvents = new ProviderEvents({
    registry,
    connectors: stores.connectors,
    store: new SqlProviderEventStore(db.kysely),
    suppressions,
    clock,
    fetch: policy.fetch,
    snsCertHosts: config.snsCertHosts,
    publicUrl: config.publicUrl,
    webhooks,
  });
  const limiterStore: LimiterStore =
    opts.limiterStore ?? (config.redisUrl ? { kind: 'redis', url: config.redisUrl } : db.pool ? { kind: 'postgres', pool: db.pool } : { kind: 'memory' });
  const limits = await createRateLimits(limiterStore);
  await limits.ready();
  const policies = new CodePolicyService(stores.settings, clock);
  const outboxStore = new SqlOutboxStore(db.kysely, db.dialect, new Prepared(db.kysely, db.sqlite, db.pool));
  // A message that ends failed or cancelled takes its code with it (late-bound: codes needs the outbox).
  const giveUp = { code: async (_tenantId: string, _id: string) => undefined as void };
  const outbox = new Outbox(outboxStore, keyring, sender, clock, metrics, { ...DEFAULT_OUTBOX_OPTIONS, leaseMs: config.outboxLeaseSeconds * 1000, ...opts.outbox }, async (row) => {
    if (row.guard_kind === 'code' && row.guard_id) await giveUp.code(row.tenant_id, row.guard_id);
  });
  const messages = new Messages(outbox);
  registerDeliveryGauges(metrics.registry, circuits, outboxStore, clock);
  const codes = new VerificationCodes(stores.codes, policies, limits, sender, metrics, clock, deriveKey(master.secret, 'code-hmac'), opts.random, outbox, webhooks);
  giveUp.code = (tenantId, id) => codes.giveUp(tenantId, id);
  const tenants = new Tenants(stores.tenants, clock);
  const adminKeys = new AdminKeys(stores.adminKeys, clock, config.adminKey);
  await tenants.ensureDefault();
  await connectors.ensureDefaultConnector('default');
  const generatedAdminKey = await adminKeys.ensureBootstrapKey();
  const oidcStore = new SqlOidcStore(db.kysely);
  const applications = new Applications(new SqlApplicationStore(db.kysely), keyring, clock);
  // An application that goes takes its grants and tokens with it (SPEC §17).
  applications.onChange(async (tenantId, id, deleted) => {
    if (deleted) await oidcStore.revokeByClient(tenantId, id);
  });
  const abuse = {
    botProtection: new BotProtectionService(stores.settings, keyring, clock, {
      fetch: policy.fetch,
      expectedHostname: config.publicUrlSet ? new URL(config.publicUrl).hostname : undefined,
      widgetOrigin: config.captchaWidgetOrigin,
      ...(opts.captchaTimeoutMs ? { timeoutMs: opts.captchaTimeoutMs } : {}),
      // Siteverify failures are logged (no token or secret in them).
      log: (msg, fields) => logger.warn(fields, msg),
    }),
    emailPolicy: new EmailPolicyService(stores.settings, clock),
  };
  const smtpCredentials = new SmtpCredentials(new SqlSmtpCredentialStore(db.kysely), clock);
  let smtpCertificate: ListenerCertificate | undefined;
  let smtpListener: SmtpListener | undefined;
  if (config.smtp) {
    // The listener's modules (smtp-server, postal-mime, selfsigned: tens of MB of RSS when
    // imported) load only when the listener is on (issue 21).
    const [{ loadListenerCertificate }, { SmtpSubmission }, { SmtpListener }] = await Promise.all([
      import('./smtp/certificate.js'),
      import('./core/smtp/submission.js'),
      import('./smtp/listener.js'),
    ]);
    smtpCertificate = await loadListenerCertificate({ certFile: config.smtp.tlsCertFile, keyFile: config.smtp.tlsKeyFile, dataDir: config.dataDir, hostname: publicHost });
    const submission = new SmtpSubmission({
      credentials: smtpCredentials,
      limits,
      suppressions,
      connectors,
      outbox,
      builtinRelays: config.builtinRelay !== undefined,
      // Every recipient's row in one transaction: the message is accepted whole or not at all.
      insertRows: async (rows) => {
        if (rows.length === 1) return outboxStore.insert(rows[0]!);
        await db.kysely.transaction().execute(async (trx) => {
          const store = new SqlOutboxStore(trx, db.dialect, new Prepared(trx));
          for (const row of rows) await store.insert(row);
        });
      },
    });
    smtpListener = new SmtpListener({
      port: config.smtp.port,
      smtpsPort: config.smtp.smtpsPort,
      host: config.smtp.host,
      name: publicHost,
      certificate: smtpCertificate,
      submission,
      log: logger,
    });
  }
  const base = {
    smtp: {
      credentials: smtpCredentials,
      certificate: () => smtpCertificate,
      listener: () => {
        if (!smtpListener || !config.smtp) return undefined;
        const { port, smtpsPort } = smtpListener.addresses;
        return { host: publicHost, listenHost: config.smtp.host, port, smtpsPort };
      },
    },
    abuse,
    keyring,
    limits,
    deriveKey: (purpose: string) => deriveKey(master.secret, purpose),
    config,
    clock,
    pingDatabase: () => ping(db),
    mailbox,
    tenants,
    adminKeys,
    metrics,
    email: { registry, connectors, sender, renderer, signInExperience, logs: new EmailLogs(stores.emailLogs), testSend: new ConnectorTestSend(connectors, stores.connectors, sender, stores.fallbackConnectors), fallback, circuits },
    templates: { templates: templateService, renderer: templateRenderer, branding },
    codes: { service: codes, policies },
    deliverability: { dkimKeys, domains: new DomainChecks(stores.connectors, stores.dkimKeys, createResolver(config.dnsServers)) },
    events: { providerEvents, suppressions },
    bundles: new ConfigBundles({
      stores,
      clock,
      registry,
      connectors,
      fallbackConnectors: fallback,
      renderer: templateRenderer,
      templates: templateService,
      branding,
      signInExperience,
      policies,
      transaction: (fn) => db.kysely.transaction().execute((trx) => fn(createStores({ ...db, kysely: trx }, keyring))),
    }),
    outbox,
    messages,
    integrations: new Integrations(stores.integrations, keyring, messages, clock, config.publicUrl),
    retention: new Retention(db.kysely, clock, config.retentionDays),
    oidc: { applications, store: oidcStore },
    webhooks,
  };
  const identity = await createIdentityServices({
    stores: createIdentityStores(db),
    keyring,
    clock,
    publicUrl: config.publicUrl,
    codes,
    sender,
    signInExperience,
    limits,
    emailPolicy: abuse.emailPolicy,
    events: webhooks,
    mail: {
      outbox,
      // The identity records and the outbox row in one transaction (SPEC §15).
      transaction: (row, work) =>
        db.kysely.transaction().execute(async (trx) => {
          await work(createIdentityStores({ ...db, kysely: trx }));
          await new SqlOutboxStore(trx, db.dialect, new Prepared(trx)).insert(row);
        }),
    },
  });
  const services: Services = { ...base, identity };
  const wired: WiredServices = { ...services, db, stores };
  const retention = services.retention;
  // Housekeeping: expired and used codes and grants go in small batches, off the request path.
  const purgeTimer =
    opts.housekeeping === false
      ? undefined
      : setInterval(() => {
          void codes.purge().catch(() => undefined);
          void retention.run().catch(() => undefined);
          void services.identity.purge().catch(() => undefined);
          void providerEvents.purge().catch(() => undefined);
          void suppressions.purge().catch(() => undefined);
        }, 10 * 60_000);
  purgeTimer?.unref();
  const app = await buildApp(services, { logger: config.logLevel !== 'silent', loggerInstance: logger });
  if (opts.outboxWorker !== false) {
    outbox.start();
    webhooks.start();
  }
  return {
    services: wired,
    app,
    policy,
    generatedAdminKey,
    generatedSecretPath: master.generated ? master.path : undefined,
    smtp: smtpListener,
    async close() {
      if (purgeTimer) clearInterval(purgeTimer);
      await smtpListener?.close();
      await app.close();
      await outbox.close();
      await webhooks.close();
      await limits.close();
      await services.identity.close?.();
      await connectors.closeAll();
      await fallback.closeAll();
      await policy.close();
      await db.close();
    },
  };
}

/** `postern start`: listen, print where things are, stop cleanly on SIGTERM/SIGINT. */
export async function start(env: NodeJS.ProcessEnv = process.env): Promise<Postern> {
  const config = loadConfig(env);
  // Before anything opens: the database wraps its statements in spans only when tracing is on.
  await startTracing(env);
  const p = await createPostern(config);
  const address = await p.app.listen({ port: config.port, host: config.host });
  const base = config.publicUrl;
  const lines = [
    `Postern is listening on ${address}`,
    `  API docs:  ${base}/api/docs`,
    `  Console:   ${base}/console`,
    `  Sign-in:   ${base}/sign-in   (the hosted sign-in page of the default tenant; /t/<tenant>/sign-in for others)`,
    `  Database:  ${config.databaseUrl.startsWith('sqlite:') ? config.databaseUrl : config.databaseUrl.replace(/\/\/[^@/]*@/, '//…@')}`,
  ];
  if (p.smtp) {
    const ports = await p.smtp.listen();
    const cert = p.smtp.certificate;
    if (ports.port !== undefined) lines.push(`  SMTP:      ${config.smtp!.host}:${ports.port} (STARTTLS, AUTH with /api/smtp-credentials)`);
    if (ports.smtpsPort !== undefined) lines.push(`  SMTPS:     ${config.smtp!.host}:${ports.smtpsPort} (implicit TLS)`);
    lines.push(`  SMTP TLS certificate${cert.origin === 'generated' ? ' (self-signed, in the data directory)' : ''}: SHA-256 ${cert.fingerprint}`);
  }
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
      await stopTracing(); // exports the spans still buffered
      process.exit(0);
    } catch {
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  return p;
}
