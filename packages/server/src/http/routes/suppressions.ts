import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { toPublicSuppression } from '../../core/events/suppressions.js';
import { errorResponses, NoContent, PageQuery, pageOf } from '../schemas.js';
import type { Services } from '../context.js';

const Reason = z.enum(['hard_bounce', 'complaint', 'manual']);
const Suppression = z
  .object({
    email: z.string(),
    reason: Reason,
    source: z.string().meta({ description: 'The provider that reported it (aws-ses, sendgrid, …) or "api"' }),
    createdAt: z.string(),
    expiresAt: z
      .string()
      .nullable()
      .meta({ description: 'A hard bounce expires after 30 days; complaints and manual entries stay until removed' }),
  })
  .meta({ id: 'Suppression' });

/** The tenant's suppression list (SPEC §16). */
export const suppressionRoutes =
  (s: Services): FastifyPluginAsyncZod =>
  async (app) => {
    const list = s.events.suppressions;
    app.get(
      '/api/suppressions',
      {
        schema: {
          operationId: 'listSuppressions',
          tags: ['suppressions'],
          summary: 'Addresses that get no mail, newest first',
          querystring: PageQuery.extend({
            email: z.string().max(320).optional().meta({ description: 'Part of the address to search for' }),
          }),
          response: { 200: pageOf(Suppression), ...errorResponses(400, 401, 403) },
        },
      },
      async (req) => {
        const page = await list.list(req.tenantId, req.query.email, {
          limit: req.query.limit,
          cursor: req.query.cursor,
        });
        return { items: page.items.map(toPublicSuppression), nextCursor: page.nextCursor };
      },
    );
    app.post(
      '/api/suppressions',
      {
        schema: {
          operationId: 'addSuppression',
          tags: ['suppressions'],
          summary: 'Suppress an address',
          body: z.strictObject({ email: z.string().max(320), reason: Reason.default('manual') }),
          response: { 201: Suppression, ...errorResponses(400, 401, 403) },
        },
      },
      async (req, reply) =>
        reply
          .status(201)
          .send(toPublicSuppression(await list.add(req.tenantId, req.body.email, req.body.reason, 'api'))),
    );
    app.delete(
      '/api/suppressions/:email',
      {
        schema: {
          operationId: 'removeSuppression',
          tags: ['suppressions'],
          summary: 'Remove an address from the list, so that it gets mail again',
          params: z.strictObject({ email: z.string().min(1).max(320) }),
          response: { 204: NoContent, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (req, reply) => {
        await list.remove(req.tenantId, req.params.email);
        return reply.status(204).send(null);
      },
    );
  };
