import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NoContent, errorResponses, Id, PageQuery, pageOf } from '../schemas.js';
import type { Services } from '../context.js';

const Summary = z.object({ id: z.string(), to: z.string(), from: z.string(), subject: z.string(), createdAt: z.string() }).meta({ id: 'MailboxSummary' });
const Message = Summary.extend({ html: z.string(), text: z.string() }).meta({ id: 'MailboxMessage' });

export const mailboxRoutes =
  (s: Services): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/api/mailbox',
      { schema: { operationId: 'listMailbox', tags: ['mailbox'], summary: 'Mail captured by the built-in service (no relay), newest first', querystring: PageQuery, response: { 200: pageOf(Summary), ...errorResponses(400, 401, 403) } } },
      async (req) => {
        const page = await s.mailbox.list(req.tenantId, req.query);
        return { items: page.items.map(({ tenantId: _t, ...rest }) => rest), nextCursor: page.nextCursor };
      },
    );
    app.get(
      '/api/mailbox/:id',
      { schema: { operationId: 'getMailboxMessage', tags: ['mailbox'], summary: 'One captured message', params: z.strictObject({ id: Id }), response: { 200: Message, ...errorResponses(400, 401, 403, 404) } } },
      async (req) => {
        const m = await s.mailbox.get(req.tenantId, req.params.id);
        const { tenantId: _t, ...rest } = m;
        return rest;
      },
    );
    app.delete(
      '/api/mailbox',
      { schema: { operationId: 'clearMailbox', tags: ['mailbox'], summary: 'Empty the mailbox', response: { 204: NoContent, ...errorResponses(401, 403) } } },
      async (req, reply) => {
        await s.mailbox.clear(req.tenantId);
        return reply.status(204).send(null);
      },
    );
  };
