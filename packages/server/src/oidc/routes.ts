import type { IncomingMessage } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type Provider from 'oidc-provider';
import { z } from 'zod';
import { AppError } from '../core/errors.js';
import { errorResponses } from '../http/schemas.js';
import { issuerPath, type OidcDeps } from './issuer.js';

const PUBLIC = { config: { auth: 'public' as const } };

/** The endpoints oidc-provider serves (relative to the issuer). */
const PROVIDER_ROUTES =
  /^\/(auth(\/[\w-]{1,100})?|token(\/introspection|\/revocation)?|me|jwks|\.well-known\/openid-configuration|session\/end(\/confirm|\/success)?)\/?(\?.*)?$/;

interface Entry {
  provider: Provider;
  /** The kids of the signing keys it was built with, sorted. */
  kids: string;
}

const kidsOf = (kids: Array<string | undefined>) =>
  kids
    .map((k) => k ?? '')
    .sort()
    .join(',');

/**
 * One OpenID Provider per tenant, built on first use and rebuilt when its signing keys change:
 * at once after a rotation on this instance, within the key cache's minute after one elsewhere
 * (the published keys are read from the signing keys' in-memory cache on every request).
 */
export class OidcProviders {
  private readonly entries = new Map<string, Promise<Entry>>();

  constructor(private readonly d: OidcDeps) {}

  async get(tenantId: string): Promise<Provider> {
    const hit = this.entries.get(tenantId);
    if (hit) {
      const e = await hit.catch(() => undefined);
      if (e && e.kids === kidsOf(await this.d.identity.keys.kids(tenantId))) return e.provider;
    }
    const made = import('./provider.js')
      .then(({ createProvider }) => createProvider(this.d, tenantId))
      .then(({ provider, keys }): Entry => ({ provider, kids: kidsOf((keys as Array<{ kid?: string }>).map((k) => k.kid)) }));
    this.entries.set(tenantId, made);
    made.catch(() => this.entries.delete(tenantId));
    return (await made).provider;
  }

  /** Forget a tenant's provider. */
  reset(tenantId: string): void {
    this.entries.delete(tenantId);
  }
}

/** Where the hosted pages finish an interaction (the page posts the access token it got). */
export const finishPath = (base: string, uid: string) => `${base}/interaction/${uid}/login`;

/**
 * Mounts every tenant's provider at `/oidc` (`/t/T/oidc`), plus the interaction endpoints
 * that hand over to the hosted pages and take the signed-in user back.
 */
export const oidcRoutes =
  (d: OidcDeps, providers: OidcProviders): FastifyPluginAsyncZod =>
  async (app) => {
    const pub = new URL(d.publicUrl);

    /** Hands the raw request to oidc-provider (koa), as if mounted at the issuer's path. */
    const dispatch = async (req: FastifyRequest, reply: FastifyReply) => {
      const raw = req.raw as IncomingMessage & { originalUrl?: string };
      const url = raw.url ?? '/oidc';
      let rest = url.slice('/oidc'.length);
      if (!rest.startsWith('/')) rest = `/${rest}`;
      // Anything but the provider's own endpoints answers like every other unknown route.
      if (!PROVIDER_ROUTES.test(rest))
        throw new AppError('request.not_found', `No route ${req.method} ${url.split('?')[0]}.`);
      const provider = await providers.get(req.tenantId);
      raw.originalUrl = issuerPath(d.publicUrl, req.tenantId) + rest;
      raw.url = rest;
      // Endpoint URLs are built from POSTERN_PUBLIC_URL, never from the request's Host.
      raw.headers['x-forwarded-host'] = pub.host;
      raw.headers['x-forwarded-proto'] = pub.protocol.slice(0, -1);
      raw.headers['x-forwarded-for'] = req.ip;
      reply.hijack();
      provider.callback()(raw, reply.raw);
    };

    await app.register(async (mount) => {
      // oidc-provider reads its own bodies (form posts, JSON): leave the stream untouched.
      mount.removeAllContentTypeParsers();
      mount.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));
      mount.all('/oidc', { ...PUBLIC, schema: { hide: true } }, dispatch);
      mount.all('/oidc/*', { ...PUBLIC, schema: { hide: true } }, dispatch);
    });

    /** Grants what the interaction asks for (applications are first-party: no consent screen). */
    const grantFor = async (
      provider: Provider,
      details: Awaited<ReturnType<Provider['interactionDetails']>>,
      accountId: string,
    ): Promise<string> => {
      const clientId = String(details.params.client_id);
      const existing = details.grantId ? await provider.Grant.find(details.grantId) : undefined;
      const grant =
        existing && existing.accountId === accountId ? existing : new provider.Grant({ accountId, clientId });
      const scope = typeof details.params.scope === 'string' ? details.params.scope : 'openid';
      grant.addOIDCScope(scope);
      const missing = details.prompt.details as {
        missingOIDCScope?: string[];
        missingOIDCClaims?: string[];
        missingResourceScopes?: Record<string, string[]>;
      };
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {}))
        grant.addResourceScope(indicator, scopes.join(' '));
      return grant.save();
    };

    const details = async (provider: Provider, req: FastifyRequest, reply: FastifyReply, uid: string) => {
      let out: Awaited<ReturnType<Provider['interactionDetails']>>;
      try {
        out = await provider.interactionDetails(req.raw, reply.raw);
      } catch {
        throw new AppError('oidc.interaction_not_found');
      }
      if (out.uid !== uid) throw new AppError('oidc.interaction_not_found');
      return out;
    };

    app.get(
      '/oidc/interaction/:uid',
      {
        ...PUBLIC,
        schema: {
          operationId: 'startOidcInteraction',
          tags: ['oidc'],
          security: [],
          summary:
            'Where an authorization request that needs the user lands: sign-in goes on to the hosted pages, anything else (a new application of a signed-in user) is granted at once',
          params: z.strictObject({ uid: z.string().min(1).max(100) }),
          response: { 303: z.null(), ...errorResponses(400, 404) },
        },
      },
      async (req, reply) => {
        const provider = await providers.get(req.tenantId);
        const base = issuerPath(d.publicUrl, req.tenantId);
        const it = await details(provider, req, reply, req.params.uid);
        if (it.prompt.name === 'consent' && it.session?.accountId) {
          const grantId = await grantFor(provider, it, it.session.accountId);
          const to = await provider.interactionResult(
            req.raw,
            reply.raw,
            { consent: { grantId } },
            { mergeWithLastSubmission: true },
          );
          return reply.redirect(to, 303);
        }
        const pages = base.slice(0, -'/oidc'.length);
        const prompts = String(it.params.prompt ?? '').split(' ');
        const page = it.prompt.name === 'create' || prompts.includes('create') ? 'register' : 'sign-in';
        const q = new URLSearchParams({ redirect: finishPath(base, it.uid) });
        if (typeof it.params.login_hint === 'string' && it.params.login_hint.length <= 320)
          q.set('email', it.params.login_hint);
        if (typeof it.params.ui_locales === 'string') q.set('ui_locales', it.params.ui_locales.slice(0, 100));
        q.set('client_id', String(it.params.client_id));
        return reply.redirect(`${pages}/${page}?${q.toString()}`, 303);
      },
    );

    app.post(
      '/oidc/interaction/:uid/login',
      {
        ...PUBLIC,
        schema: {
          operationId: 'finishOidcInteraction',
          tags: ['oidc'],
          security: [],
          summary:
            'The hosted pages finish an OpenID sign-in: with the access token their sign-in answered, the user is signed in to the provider and the answer names where the browser goes next',
          params: z.strictObject({ uid: z.string().min(1).max(100) }),
          body: z.strictObject({ accessToken: z.string().min(1).max(4096) }),
          response: { 200: z.object({ redirectTo: z.string() }), ...errorResponses(400, 401, 404) },
        },
      },
      async (req, reply) => {
        const provider = await providers.get(req.tenantId);
        const claims = await d.identity.tokens.verifyAccessToken(req.tenantId, req.body.accessToken);
        if (!claims)
          throw new AppError('session.invalid_token', 'The access token is invalid or expired; sign in again.');
        // interactionDetails/Result read the interaction cookie and never write to the response.
        const it = await details(provider, req, reply, req.params.uid);
        const grantId = await grantFor(provider, it, claims.sub);
        const asked = String(it.params.prompt ?? '').split(' ');
        const redirectTo = await provider.interactionResult(
          req.raw,
          reply.raw,
          {
            login: { accountId: claims.sub, amr: claims.amr, remember: true },
            consent: { grantId },
            ...(asked.includes('create') ? { create: {} } : {}),
          },
          { mergeWithLastSubmission: false },
        );
        return { redirectTo };
      },
    );
  };
