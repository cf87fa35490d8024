import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NoContent, errorResponses, Id, NameText, PageQuery, pageOf } from '../schemas.js';
import type { Applications } from '../../core/applications/service.js';

/** An absolute URI without a fragment (OAuth 2.0 §3.1.2); custom schemes serve native apps. */
const RedirectUri = z
  .string()
  .max(2000)
  .refine((v) => {
    try {
      const u = new URL(v);
      return !u.hash && !v.includes('#') && u.protocol !== 'javascript:' && u.protocol !== 'data:';
    } catch {
      return false;
    }
  }, 'must be an absolute URI without a fragment');

/** `scheme://host[:port]`, exactly as a browser sends it in `Origin`. */
const Origin = z
  .string()
  .max(300)
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === v;
    } catch {
      return false;
    }
  }, 'must be an origin such as https://app.example.com (no path, no trailing slash)');

const HttpsUrl = z
  .string()
  .max(2000)
  .refine((v) => {
    try {
      return ['https:', 'http:'].includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, 'must be an http(s) URL');

const Type = z
  .enum(['spa', 'traditional', 'native'])
  .meta({ description: '`spa` and `native` are public clients (PKCE required); `traditional` has a client secret' });

const IdTokenAlg = z.enum(['ES256', 'RS256']).meta({
  description: 'How ID tokens for this application are signed: `ES256` (the default) or `RS256` (for clients that support only RS256)',
});

const ApplicationOut = z
  .object({
    id: z.string(),
    clientId: z.string().meta({ description: 'The OAuth client_id (equal to id)' }),
    name: z.string(),
    type: Type,
    redirectUris: z.array(z.string()),
    postLogoutRedirectUris: z.array(z.string()),
    corsOrigins: z.array(z.string()),
    logoUrl: z.string().nullable(),
    idTokenSignedResponseAlg: IdTokenAlg,
    hasClientSecret: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Application' });
const WithSecret = ApplicationOut.extend({
  clientSecret: z.string().meta({ description: 'Shown only in this answer' }),
});

const Body = z.strictObject({
  name: NameText(),
  type: Type,
  redirectUris: z.array(RedirectUri).min(1).max(50),
  postLogoutRedirectUris: z.array(RedirectUri).max(50).optional(),
  corsOrigins: z.array(Origin).max(50).optional(),
  logoUrl: HttpsUrl.nullable().optional(),
  idTokenSignedResponseAlg: IdTokenAlg.optional(),
});
const Patch = z.strictObject({
  name: NameText().optional(),
  redirectUris: z.array(RedirectUri).min(1).max(50).optional(),
  postLogoutRedirectUris: z.array(RedirectUri).max(50).optional(),
  corsOrigins: z.array(Origin).max(50).optional(),
  logoUrl: HttpsUrl.nullable().optional(),
  idTokenSignedResponseAlg: IdTokenAlg.optional(),
});

export const applicationRoutes =
  (apps: Applications): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/api/applications',
      {
        schema: {
          operationId: 'createApplication',
          tags: ['applications'],
          summary:
            'Register an application (OIDC client); a `traditional` one gets `clientSecret`, shown only in this answer',
          body: Body,
          response: {
            201: ApplicationOut.extend({ clientSecret: z.string().optional() }),
            ...errorResponses(400, 401, 403),
          },
        },
      },
      async (req, reply) => reply.status(201).send(await apps.create(req.tenantId, req.body)),
    );
    app.get(
      '/api/applications',
      {
        schema: {
          operationId: 'listApplications',
          tags: ['applications'],
          summary: "List this tenant's applications, newest first",
          querystring: PageQuery,
          response: { 200: pageOf(ApplicationOut), ...errorResponses(400, 401, 403) },
        },
      },
      async (req) => apps.list(req.tenantId, req.query),
    );
    app.get(
      '/api/applications/:id',
      {
        schema: {
          operationId: 'getApplication',
          tags: ['applications'],
          summary: 'One application (never its secret)',
          params: z.strictObject({ id: Id }),
          response: { 200: ApplicationOut, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (req) => apps.get(req.tenantId, req.params.id),
    );
    app.patch(
      '/api/applications/:id',
      {
        schema: {
          operationId: 'updateApplication',
          tags: ['applications'],
          summary: 'Change an application (JSON Merge Patch; `type` is fixed once created)',
          params: z.strictObject({ id: Id }),
          body: Patch,
          response: { 200: ApplicationOut, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (req) => apps.update(req.tenantId, req.params.id, req.body),
    );
    app.delete(
      '/api/applications/:id',
      {
        schema: {
          operationId: 'deleteApplication',
          tags: ['applications'],
          summary: 'Delete an application; its codes and tokens stop working',
          params: z.strictObject({ id: Id }),
          response: { 204: NoContent, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (req, reply) => {
        await apps.delete(req.tenantId, req.params.id);
        return reply.status(204).send(null);
      },
    );
    app.get(
      '/api/experience/applications/:clientId',
      {
        config: { auth: 'public' },
        schema: {
          operationId: 'getExperienceApplication',
          tags: ['experience'],
          security: [],
          summary: 'The name and logo of the application that asks for a sign-in, for the hosted pages (no key)',
          params: z.strictObject({ clientId: Id.meta({ description: 'The OAuth client_id' }) }),
          response: {
            200: z.object({ name: z.string(), logoUrl: z.string().nullable() }).meta({ id: 'ExperienceApplication' }),
            ...errorResponses(400, 404),
          },
        },
      },
      async (req) => apps.card(req.tenantId, req.params.clientId),
    );
    app.post(
      '/api/applications/:id/secret',
      {
        schema: {
          operationId: 'rotateApplicationSecret',
          tags: ['applications'],
          summary:
            'Replace the client secret of a `traditional` application; the old one stops working at once and the new one is shown only in this answer',
          params: z.strictObject({ id: Id }),
          response: { 200: WithSecret, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (req) => apps.rotateSecret(req.tenantId, req.params.id),
    );
  };
