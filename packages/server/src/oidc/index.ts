import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TtlCache } from '../lib/ttl-cache.js';
import type { Services } from '../http/context.js';
import { applicationRoutes } from '../http/routes/applications.js';
import type { Applications } from '../core/applications/service.js';
import { OidcProviders, oidcRoutes } from './routes.js';
import type { OidcDeps } from './issuer.js';

/** Applications API and every tenant's OpenID Provider (SPEC §17). */
export async function mountOidc(
  app: FastifyInstance,
  s: Services,
): Promise<{ applications: Applications; providers: OidcProviders }> {
  const { applications, store } = s.oidc;
  const origins = new TtlCache<Set<string>>(30_000);
  applications.onChange((tenantId) => {
    origins.delete(tenantId);
  });
  app.addHook(
    'onRequest',
    endUserCors((tenantId) => origins.get(tenantId, () => applications.corsOrigins(tenantId))),
  );
  const deps: OidcDeps = {
    publicUrl: s.config.publicUrl,
    clock: s.clock,
    identity: s.identity,
    applications,
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
