import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NoContent, errorResponses, Id, PageQuery, pageOf } from '../schemas.js';
import type { Services } from '../context.js';

const KeyInfo = z.object({ id: z.string(), name: z.string(), tenantId: z.string().nullable(), createdAt: z.string() }).meta({ id: 'AdminKey' });

export const adminKeyRoutes =
  (s: Services): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/api/admin-keys',
      {
        schema: {
          tags: ['admin keys'],
          summary: 'Create an admin key for this tenant; `key` is shown only in this answer',
          body: z.strictObject({ name: z.string().trim().min(1).max(200) }),
          response: { 201: KeyInfo.extend({ key: z.string() }), ...errorResponses(400, 401, 403) },
        },
      },
      async (req, reply) => reply.status(201).send(await s.adminKeys.create(req.body.name, req.tenantId)),
    );
    app.get(
      '/api/admin-keys',
      { schema: { tags: ['admin keys'], summary: "List this tenant's admin keys (never the keys themselves)", querystring: PageQuery, response: { 200: pageOf(KeyInfo), ...errorResponses(400, 401, 403) } } },
      async (req) => s.adminKeys.list(req.tenantId, req.query),
    );
    app.delete(
      '/api/admin-keys/:id',
      { schema: { tags: ['admin keys'], summary: 'Delete an admin key', params: z.strictObject({ id: Id }), response: { 204: NoContent, ...errorResponses(400, 401, 403, 404) } } },
      async (req, reply) => {
        await s.adminKeys.delete(req.params.id, req.tenantId);
        return reply.status(204).send(null);
      },
    );
  };
