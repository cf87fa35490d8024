import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { loggerOptions } from '../lib/logger.js';
import { TENANT_ID } from '../core/tenants.js';
import { boundJsonDepth, installErrorHandling } from './errors.js';
import { tenantAndAuthHook } from './auth.js';
import type { Services } from './context.js';
import { healthRoutes } from './routes/health.js';
import { tenantRoutes } from './routes/tenants.js';
import { adminKeyRoutes } from './routes/admin-keys.js';
import { connectorRoutes } from './routes/connectors.js';
import { emailLogRoutes } from './routes/email-logs.js';
import { mailboxRoutes } from './routes/mailbox.js';
import { signInExperienceRoutes } from './routes/sign-in-experience.js';
import { staticRoutes } from './routes/static.js';
import { templateRoutes } from './routes/templates.js';
import { brandingRoutes } from './routes/branding.js';
import { codeRoutes } from './routes/codes.js';
import { identityRoutes } from './routes/identity/index.js';
import { deliverabilityRoutes } from './routes/deliverability.js';
import { configBundleRoutes } from './routes/config-bundle.js';
import { providerEventRoutes } from './routes/provider-events.js';
import { suppressionRoutes } from './routes/suppressions.js';
import { installObservability } from './observability.js';
import { outboxRoutes } from './routes/outbox.js';
import { deliveryRoutes } from './routes/delivery.js';
import { integrationRoutes } from './routes/integrations.js';
import { smtpCredentialRoutes } from './routes/smtp-credentials.js';
import { messageRoutes } from './routes/messages.js';
import { abuseRoutes } from './routes/abuse.js';
import { webhookRoutes } from './routes/webhooks.js';

export interface BuildAppOptions {
  logger?: boolean;
  /** The process's logger (lib/logger.ts createLogger); else one is made from the config. */
  loggerInstance?: FastifyBaseLogger;
}

const TENANT_PREFIX = /^\/t\/([^/?#]+)(\/[^?#]*)?(\?.*)?$/;

/** Builds the Fastify app; never listens (main.ts does, tests use inject or listen on port 0). */
export async function buildApp(s: Services, opts: BuildAppOptions = {}): Promise<App> {
  const app = Fastify({
    ...(opts.logger === false
      ? { logger: false }
      : opts.loggerInstance
        ? { loggerInstance: opts.loggerInstance }
        : { logger: loggerOptions(s.config.logLevel) }),
    bodyLimit: 1024 * 1024,
    trustProxy: trustProxyOption(s.config.trustProxy),
    // Fastify's own request lines carry the URL and the client address: the access log
    // (observability.ts) replaces them at every level.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    // Slow or idle clients must not hold sockets (issue 14): the whole request must arrive
    // within requestTimeout and its headers within headersTimeout (Node answers 408 and
    // closes), an idle keep-alive socket closes after keepAliveTimeout. Node checks the first
    // two on an interval (30 s by default), so it runs at a fraction of the shorter one.
    requestTimeout: s.config.requestTimeoutMs,
    keepAliveTimeout: s.config.keepAliveTimeoutMs,
    http: {
      requestTimeout: s.config.requestTimeoutMs,
      headersTimeout: s.config.headersTimeoutMs,
      keepAliveTimeout: s.config.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(s.config.headersTimeoutMs / 4))),
    },
    // Tenants other than `default` live under /t/T/…; routes are registered once and read
    // the tenant from the request, so the OpenAPI document lists each route once.
    rewriteUrl(req) {
      const url = req.url ?? '/';
      const m = TENANT_PREFIX.exec(url);
      if (!m) return url;
      const id = decodeURIComponent(m[1]!);
      (req as { posternTenant?: string }).posternTenant = TENANT_ID.test(id) ? id : '!invalid';
      return `${m[2] ?? '/'}${m[3] ?? ''}`;
    },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  // Response schemas document the API; bodies are serialised as they are.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  installErrorHandling(app);
  boundJsonDepth(app as unknown as FastifyInstance);
  installObservability(app as unknown as FastifyInstance, s.metrics);
  app.addHook('onRequest', tenantAndAuthHook(s));
  app.addHook('onResponse', async (req, reply) => {
    s.metrics.httpRequests.inc({ method: req.method, status: `${Math.floor(reply.statusCode / 100)}xx` });
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Postern API',
        version: '0.1.0',
        description:
          'Management API (Authorization: Bearer <admin key>) and end-user APIs of Postern. Every route of the default tenant is also served for tenant T under /t/T/.',
      },
      components: {
        securitySchemes: {
          adminKey: {
            type: 'http',
            scheme: 'bearer',
            description:
              'An admin API key: the one `npm start` prints at the first start, POSTERN_ADMIN_KEY, or one made with POST /api/admin-keys. In "Authorize", paste the key alone (the page adds "Bearer "). Every call then sends `Authorization: Bearer <admin key>`, for example `curl -H "Authorization: Bearer $POSTERN_ADMIN_KEY" http://localhost:3000/api/connectors`. For tenant T, call /t/T/api/….',
          },
          accessToken: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description: "An end user's access token",
          },
        },
      },
      security: [{ adminKey: [] }],
    },
    transform: jsonSchemaTransform,
    // Fills components.schemas with the schemas that carry a meta id (the $refs point there).
    transformObject: jsonSchemaTransformObject,
  });
  // The key typed into "Authorize" stays across reloads of the page (the browser's storage, this origin only).
  await app.register(swaggerUi, { routePrefix: '/api/docs', uiConfig: { deepLinking: true, persistAuthorization: true } });
  app.get('/api/openapi.json', { schema: { hide: true }, config: { auth: 'public' } }, async () => app.swagger());

  await app.register(healthRoutes(s));
  await app.register(tenantRoutes(s));
  await app.register(adminKeyRoutes(s));
  await app.register(connectorRoutes(s));
  await app.register(emailLogRoutes(s));
  await app.register(mailboxRoutes(s));
  await app.register(signInExperienceRoutes(s));
  await app.register(templateRoutes(s.templates));
  await app.register(brandingRoutes({ branding: s.templates.branding, signInExperience: s.email.signInExperience }));
  await app.register(codeRoutes(s));
  await app.register(identityRoutes(s));
  await app.register(deliverabilityRoutes(s, s.deliverability));
  await app.register(configBundleRoutes(s, s.bundles));
  await app.register(providerEventRoutes(s));
  await app.register(suppressionRoutes(s));
  await app.register(outboxRoutes(s));
  await app.register(deliveryRoutes(s));
  await app.register(integrationRoutes(s));
  await app.register(smtpCredentialRoutes(s));
  await app.register(messageRoutes(s));
  await app.register(abuseRoutes(s));
  await app.register(webhookRoutes(s));
  // Loaded with the app, not with the CLI: oidc-provider is large, and on Node 20 it warns
  // on stderr when imported, which a `postern migrate` has no reason to print.
  const { mountOidc } = await import('../oidc/index.js');
  await mountOidc(app as unknown as FastifyInstance, s);
  await app.register(async (a) => staticRoutes(a as unknown as FastifyInstance, undefined, {
      secureCookies: s.config.publicUrl.startsWith('https:'),
      captchaWidget: (tenantId) => s.abuse.botProtection.widget(tenantId),
    }));
  return app as unknown as App;
}

export type App = FastifyInstance;

function trustProxyOption(
  v: string[] | number | undefined,
): boolean | string[] | ((addr: string, hop: number) => boolean) {
  if (v === undefined) return false;
  if (typeof v === 'number') return (_addr: string, hop: number) => hop < v;
  return v;
}
