import type { FastifyInstance } from 'fastify';
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
  applications.onChange(async (tenantId, id, deleted) => {
    if (deleted) await store.revokeByClient(tenantId, id);
  });
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
