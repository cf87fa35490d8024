import Provider, {
  interactionPolicy,
  type Adapter,
  type AdapterPayload,
  type ClientMetadata,
  type Configuration,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import type { ApplicationRecord, OidcPayload } from '../core/applications/ports.js';
import { ID_TOKEN_TTL_SECONDS, SIGNING_ALGS } from '../core/identity/signing-keys.js';

import { issuerOf, issuerPath, tenantBase, type OidcDeps } from './issuer.js';

export { issuerOf, issuerPath, tenantBase, type OidcDeps };

/** The client metadata oidc-provider sees for an application (SPEC §17). */
export function clientMetadata(a: ApplicationRecord, secret: string | undefined): ClientMetadata {
  const isPublic = a.type !== 'traditional';
  return {
    client_id: a.id,
    client_name: a.name,
    ...(a.logoUrl ? { logo_uri: a.logoUrl } : {}),
    ...(isPublic
      ? { token_endpoint_auth_method: 'none' }
      : { client_secret: secret!, token_endpoint_auth_method: 'client_secret_basic' }),
    application_type: a.type === 'native' ? 'native' : 'web',
    redirect_uris: a.redirectUris,
    post_logout_redirect_uris: a.postLogoutRedirectUris,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    id_token_signed_response_alg: a.idTokenSignedResponseAlg,
    'urn:postern:cors_origins': a.corsOrigins,
    'urn:postern:type': a.type,
  };
}

/** oidc-provider's adapter over OidcStore, one instance per model name; `Client` reads applications. */
function adapterFactory(d: OidcDeps, tenantId: string) {
  return (model: string): Adapter => {
    const now = () => d.clock.now();
    if (model === 'Client') {
      return {
        async find(id: string) {
          if (id.length > 100) return undefined;
          const a = await d.applications.find(tenantId, id);
          return a ? (clientMetadata(a, d.applications.clientSecret(a)) as unknown as AdapterPayload) : undefined;
        },
        async upsert() {
          throw new Error('clients are managed through /api/applications');
        },
        findByUid: async () => undefined,
        findByUserCode: async () => undefined,
        consume: async () => undefined,
        destroy: async () => undefined,
        revokeByGrantId: async () => undefined,
      };
    }
    return {
      upsert: (id, payload, expiresIn) => d.store.upsert(tenantId, model, id, payload as OidcPayload, expiresIn, now()),
      find: async (id) => (await d.store.find(tenantId, model, id, now())) as AdapterPayload | undefined,
      findByUid: async (uid) => (await d.store.findByUid(tenantId, model, uid, now())) as AdapterPayload | undefined,
      findByUserCode: async (code) =>
        (await d.store.findByUserCode(tenantId, model, code, now())) as AdapterPayload | undefined,
      consume: (id) => d.store.consume(tenantId, model, id, now()),
      destroy: (id) => d.store.destroy(tenantId, model, id),
      revokeByGrantId: (grantId) => d.store.revokeByGrantId(tenantId, grantId),
    };
  };
}

/** `create` (OIDC Prompt Create 1.0) opens registration; it is only ever asked for, never required. */
function policy() {
  const base = interactionPolicy.base();
  base.add(new interactionPolicy.Prompt({ name: 'create', requestable: true }), 0);
  return base;
}

const cookieSafe = (tenantId: string) => tenantId.replace(/[^A-Za-z0-9_-]/g, '_');

/** Builds the OpenID Provider of one tenant. */
export async function createProvider(
  d: OidcDeps,
  tenantId: string,
): Promise<{ provider: Provider; keys: Array<{ kid?: string }> }> {
  const issuer = issuerOf(d.publicUrl, tenantId);
  const path = issuerPath(d.publicUrl, tenantId);
  const secure = issuer.startsWith('https:');
  const { keys } = await d.identity.keys.privateJwks(tenantId);
  const suffix = tenantId === 'default' ? '' : `_${cookieSafe(tenantId)}`;
  const cookieOpts = { httpOnly: true, sameSite: 'lax' as const, secure };

  const config: Configuration = {
    adapter: adapterFactory(d, tenantId),
    jwks: { keys: keys as NonNullable<Configuration['jwks']>['keys'] },
    cookies: {
      keys: [d.deriveKey(`oidc-cookies:${tenantId}`).toString('base64url')],
      names: {
        session: `postern_session${suffix}`,
        interaction: `postern_interaction${suffix}`,
        resume: `postern_resume${suffix}`,
      },
      // The session cookie lives on the tenant's issuer path (so the default tenant's never
      // reaches /t/T/); the short-lived ones on the interaction and resume paths under it.
      long: { ...cookieOpts, path, signed: true },
      short: { ...cookieOpts, signed: true },
    },
    scopes: ['openid', 'offline_access', 'email', 'profile'],
    claims: { openid: ['sub', 'amr'], email: ['email', 'email_verified'], profile: ['name'] },
    conformIdTokenClaims: true,
    responseTypes: ['code'],
    pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
    clientDefaults: {
      id_token_signed_response_alg: 'ES256',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    },
    enabledJWA: { idTokenSigningAlgValues: [...SIGNING_ALGS] },
    extraClientMetadata: { properties: ['urn:postern:cors_origins', 'urn:postern:type'] },
    clientBasedCORS: (_ctx, origin, client) => {
      const allowed = client['urn:postern:cors_origins'];
      return Array.isArray(allowed) && allowed.includes(origin);
    },
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: true },
      // An application revokes and introspects its own tokens only (another's read as inactive).
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      introspection: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      rpInitiatedLogout: { enabled: true, logoutSource: logoutPage, postLogoutSuccessSource: loggedOutPage },
    },
    interactions: {
      policy: policy(),
      url: (_ctx, interaction) => `${path}/interaction/${interaction.uid}`,
    },
    // Applications are first-party: offline_access is granted when asked (SPEC §17), and
    // refresh tokens always rotate; a reused one revokes its grant (oidc-provider's default).
    issueRefreshToken: async (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    rotateRefreshToken: () => true,
    // First-party applications: what a signed-in user's application asks for is granted.
    loadExistingGrant: async (ctx) => {
      const accountId = ctx.oidc.session?.accountId;
      const clientId = ctx.oidc.client!.clientId;
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session?.grantIdFor(clientId);
      let grant = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
      if (!accountId) return grant;
      if (!grant || grant.accountId !== accountId || grant.clientId !== clientId)
        grant = new ctx.oidc.provider.Grant({ accountId, clientId });
      grant.addOIDCScope([...ctx.oidc.requestParamScopes].join(' '));
      const claims = ctx.oidc.claims as { id_token?: Record<string, unknown>; userinfo?: Record<string, unknown> };
      const asked = [...Object.keys(claims.id_token ?? {}), ...Object.keys(claims.userinfo ?? {})];
      if (asked.length) grant.addOIDCClaims(asked);
      await grant.save();
      return grant;
    },
    findAccount: async (_ctx, sub) => {
      const user = await d.identity.stores.users.get(tenantId, sub);
      if (!user) return undefined;
      return {
        accountId: user.id,
        claims: async () => ({
          sub: user.id,
          email: user.email ?? undefined,
          email_verified: user.emailVerified,
          name: user.name ?? undefined,
        }),
      };
    },
    ttl: {
      AccessToken: 900,
      AuthorizationCode: 60,
      IdToken: ID_TOKEN_TTL_SECONDS,
      RefreshToken: 30 * 24 * 3600,
      Interaction: 3600,
      Session: 14 * 24 * 3600,
      Grant: 365 * 24 * 3600,
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page(
        'Sign-in error',
        `<p>${esc(String(out.error))}</p>${out.error_description ? `<p>${esc(String(out.error_description))}</p>` : ''}`,
      );
    },
  };
  const provider = new Provider(issuer, config);
  provider.proxy = true;
  // offline_access without prompt=consent would be dropped (OIDC Core §11); first-party
  // applications are granted it, so the request is read as if consent had been asked.
  provider.use(async (ctx, next) => {
    if (ctx.method === 'GET' && ctx.path === '/auth') {
      const q = { ...ctx.query };
      if (typeof q.scope === 'string' && q.scope.split(' ').includes('offline_access')) {
        const prompts = new Set(typeof q.prompt === 'string' ? q.prompt.split(' ').filter(Boolean) : []);
        if (!prompts.has('none') && !prompts.has('consent')) {
          prompts.add('consent');
          ctx.query = { ...q, prompt: [...prompts].join(' ') };
          // oidc-provider finds its mount path by locating ctx.url in the original URL.
          (ctx.req as { originalUrl?: string }).originalUrl = path + ctx.url;
        }
      }
    }
    await next();
  });
  return { provider, keys };
}

export type OidcContext = KoaContextWithOIDC;

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title><style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}@media(prefers-color-scheme:dark){body{background:#111;color:#eee}}button{font:inherit;padding:.5rem 1rem}</style></head><body><h1>${esc(title)}</h1>${body}</body></html>`;
}

async function logoutPage(ctx: KoaContextWithOIDC, form: string): Promise<void> {
  // The form posts back with an xsrf token; it is submitted at once (the application asked).
  ctx.type = 'html';
  ctx.body = page(
    'Signing out',
    `${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button><script nonce="">document.getElementById('op.logoutForm').insertAdjacentHTML('beforeend','<input type="hidden" name="logout" value="yes">');document.getElementById('op.logoutForm').submit()</script>`,
  );
}

async function loggedOutPage(ctx: KoaContextWithOIDC): Promise<void> {
  ctx.type = 'html';
  ctx.body = page('Signed out', '<p>You are signed out.</p>');
}
