import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../core/errors.js';
import { TENANT_ID } from '../../core/tenants.js';
import { errorResponses, NameText, PageQuery, pageOf } from '../schemas.js';
import type { Services } from '../context.js';

export const TenantSchema = z
  .object({ id: z.string(), name: z.string(), type: z.enum(['development', 'production']), createdAt: z.string() })
  .meta({ id: 'Tenant' });

export const tenantRoutes =
  (s: Services): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/api/tenants',
      { config: { auth: 'system' }, schema: { operationId: 'listTenants', tags: ['tenants'], summary: 'List tenants (system key)', querystring: PageQuery, response: { 200: pageOf(TenantSchema), ...errorResponses(400, 401, 403) } } },
      async (req) => s.tenants.list(req.query),
    );
    app.post(
      '/api/tenants',
      {
        config: { auth: 'system' },
        schema: {
          operationId: 'createTenant',
          tags: ['tenants'],
          summary: 'Create a tenant (system key); it is served under /t/{id}/',
          body: z.strictObject({
            id: z.string().regex(TENANT_ID, 'lower-case letters, digits and dashes, 1–63 characters'),
            name: NameText(),
            type: z.enum(['development', 'production']).default('development'),
          }),
          response: { 201: TenantSchema, ...errorResponses(400, 401, 403, 409) },
        },
      },
      async (req, reply) => {
        const t = await s.tenants.create(req.body.id, req.body.name, req.body.type);
        if (!t) throw new AppError('tenant.already_exists', `A tenant "${req.body.id}" already exists.`);
        await s.email.connectors.ensureDefaultConnector(t.id);
        return reply.status(201).send(t);
      },
    );
  };
