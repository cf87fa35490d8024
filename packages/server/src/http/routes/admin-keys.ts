import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NoContent, errorResponses, Id, NameText, PageQuery, pageOf } from '../schemas.js';
import type { Services } from '../context.js';

const KeyInfo = z
  .object({
    id: z.string(),
    name: z.string(),
    tenantId: z.string().nullable(),
    createdAt: z.string(),
    system: z.boolean().meta({ description: 'A system key (valid for every tenant); listed only to system keys' }),
    current: z.boolean().meta({ description: 'The key this request was made with' }),
  })
  .meta({ id: 'AdminKey' });
const NewKey = KeyInfo.extend({ key: z.string().meta({ description: 'The key itself: shown only in this answer' }) });

export const adminKeyRoutes =
  (s: Services): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/api/admin-keys',
      {
        schema: {
          operationId: 'createAdminKey',
          tags: ['admin keys'],
          summary: 'Create an admin key for this tenant (or, with a system key, a system key); `key` is shown only in this answer',
          body: z.strictObject({ name: NameText(), system: z.boolean().optional().meta({ description: 'Make a system key (every tenant); needs a system key' }) }),
          response: { 201: NewKey, ...errorResponses(400, 401, 403) },
        },
      },
      async (req, reply) => reply.status(201).send(await s.adminKeys.createFor(req.principal!, req.body.name, req.tenantId, req.body.system === true)),
    );
    app.get(
      '/api/admin-keys',
      {
        schema: {
          operationId: 'listAdminKeys',
          tags: ['admin keys'],
          summary: "List this tenant's admin keys, and the system keys when called with one (never the keys themselves)",
          description: 'The key from POSTERN_ADMIN_KEY is not stored, so it is not listed: change it in the environment.',
          querystring: PageQuery,
          response: { 200: pageOf(KeyInfo), ...errorResponses(400, 401, 403) },
        },
      },
      async (req) => s.adminKeys.list(req.principal!, req.tenantId, req.query),
    );
    app.delete(
      '/api/admin-keys/:id',
      {
        schema: {
          operationId: 'deleteAdminKey',
          tags: ['admin keys'],
          summary: 'Revoke an admin key; a system key may revoke system keys, but not the last one (409 admin_key.last_system_key)',
          params: z.strictObject({ id: Id }),
          response: { 204: NoContent, ...errorResponses(400, 401, 403, 404, 409) },
        },
      },
      async (req, reply) => {
        await s.adminKeys.revoke(req.principal!, req.tenantId, req.params.id);
        return reply.status(204).send(null);
      },
    );
    app.post(
      '/api/admin-keys/:id/rotate',
      {
        schema: {
          operationId: 'rotateAdminKey',
          tags: ['admin keys'],
          summary: 'Replace an admin key by a new one with the same name and scope; the old key stops working at once and the new `key` is shown only in this answer',
          params: z.strictObject({ id: Id }),
          response: { 201: NewKey.extend({ replaces: z.string() }), ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (req, reply) => reply.status(201).send(await s.adminKeys.rotate(req.principal!, req.tenantId, req.params.id)),
    );
  };
