import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TtlCache } from '../lib/ttl-cache.js';
import type { Services } from '../http/context.js';
import { applicationRoutes } from '../http/routes/applications.js';
import { SqlApplicationStore } from '../storage/stores/applications.js';
import { SqlOidcStore } from '../storage/stores/oidc.js';
import { Applications } from './applications.js';
import { OidcProviders, oidcRoutes } from './routes.js';
import type { OidcDeps } from './provider.js';

/** Applications API and every tenant's OpenID Provider (SPEC §17). */
export async function mountOidc(
  app: FastifyInstance,
  s: Services,
): Promise<{ applications: Applications; providers: OidcProviders }> {
  const applicationStore = new SqlApplicationStore(s.db.kysely);
  const store = new SqlOidcStore(s.db.kysely);
  const applications = new Applications(applicationStore, s.keyring, s.clock);
  const origins = new TtlCache<Set<string>>(30_000);
  applications.onChange(async (tenantId, id, deleted) => {
    origins.delete(tenantId);
    if (deleted) await store.revokeByClient(tenantId, id);
  });
  app.addHook(
    'onRequest',
    endUserCors((tenantId) => origins.get(tenantId, () => applicationStore.corsOrigins(tenantId))),
  );
  const deps: OidcDeps = {
    publicUrl: s.config.publicUrl,
    clock: s.clock,
    identity: s.identity,
    applications,
    applicationStore,
    store,
    deriveKey: (p) => s.deriveKey(p),
  };
  const providers = new OidcProviders(deps);
  await app.register(applicationRoutes(applications));
  await app.register(oidcRoutes(deps, providers));
  return { applications, providers };
}

/** The end-user APIs an application's browser code calls (SPEC §17). */
const END_USER_API = /^\/api\/(experience|my-account|token|sign-out)(\/|$|\?)/;
const ALLOW_HEADERS = 'authorization, content-type, identity-verification';

/**
 * CORS for the experience, account and token endpoints: an origin some application of the
 * tenant registered gets the CORS headers (and its preflight a 204); any other origin gets
 * none, so the browser keeps the answer from it.
 */
function endUserCors(registered: (tenantId: string) => Promise<Set<string>>) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const origin = req.headers.origin;
    if (typeof origin !== 'string' || !END_USER_API.test(req.url) || !req.tenant) return;
    const allowed = (await registered(req.tenantId)).has(origin);
    reply.header('vary', 'Origin');
    if (!allowed) return;
    reply.header('access-control-allow-origin', origin);
    reply.header('access-control-expose-headers', 'retry-after');
    if (req.method === 'OPTIONS' && typeof req.headers['access-control-request-method'] === 'string') {
      reply.header('access-control-allow-methods', 'GET, POST, PUT, PATCH, DELETE');
      reply.header('access-control-allow-headers', ALLOW_HEADERS);
      reply.header('access-control-max-age', '600');
      await reply.status(204).send();
    }
  };
}
