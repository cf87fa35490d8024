import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../core/errors.js';
import type { OutboxRow } from '../../core/delivery/outbox.js';
import { errorResponses, Id, PageQuery, pageOf } from '../schemas.js';
import type { Services } from '../context.js';

const STATES = ['queued', 'sending', 'failed', 'sent', 'cancelled'] as const;

/** What an outbox row shows: never its payload (the code, the link). */
const OutboxMessage = z
  .object({
    id: z
      .string()
      .meta({ description: 'Also the message id sent on every attempt (Message-ID, webhook-id, Idempotency-Key).' }),
    state: z.enum(STATES),
    source: z.string(),
    templateType: z.string(),
    to: z.string(),
    attempts: z.number().int(),
    nextAttemptAt: z.string().nullable(),
    leaseUntil: z.string().nullable(),
    notAfter: z.string(),
    lastError: z.object({ code: z.string(), message: z.string() }).nullable(),
    providerMessageId: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'OutboxMessage' });

export const toOutboxMessage = (r: OutboxRow): z.infer<typeof OutboxMessage> => ({
  id: r.id,
  state: r.state,
  source: r.source,
  templateType: r.template_type,
  to: r.to_address,
  attempts: Number(r.attempts),
  nextAttemptAt: r.state === 'queued' ? r.next_attempt_at : null,
  leaseUntil: r.state === 'sending' ? r.lease_until : null,
  notAfter: r.not_after,
  lastError: r.last_error_code ? { code: r.last_error_code, message: r.last_error_message ?? '' } : null,
  providerMessageId: r.provider_message_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  finishedAt: r.finished_at,
});

/** `GET /api/outbox`, `DELETE /api/outbox/:id` (SPEC §15). */
export const outboxRoutes =
  (s: Services): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/api/outbox',
      {
        schema: {
          operationId: 'listOutbox',
          tags: ['outbox'],
          summary: 'Messages waiting to be delivered, newest first',
          description:
            'By default the messages that wait (`queued`, `sending`) and those that ended `failed`; `status` narrows it. No code or link is ever shown.',
          querystring: PageQuery.extend({ status: z.enum(STATES).optional() }),
          response: { 200: pageOf(OutboxMessage), ...errorResponses(400, 401, 403) },
        },
      },
      async (req) => {
        const { limit, cursor, status } = req.query;
        const page = await s.outbox.store.list(req.tenantId, status ? [status] : ['queued', 'sending', 'failed'], {
          limit,
          cursor,
        });
        return { items: page.items.map(toOutboxMessage), nextCursor: page.nextCursor };
      },
    );

    app.delete(
      '/api/outbox/:id',
      {
        schema: {
          operationId: 'cancelOutboxMessage',
          tags: ['outbox'],
          summary: 'Cancel a queued message',
          description:
            'Only a `queued` message can be cancelled; one being sent or already finished is `409 outbox.not_queued`.',
          params: z.object({ id: Id }),
          response: { 200: OutboxMessage, ...errorResponses(401, 403, 404, 409) },
        },
      },
      async (req) => {
        const at = s.clock.now().toISOString();
        if (!(await s.outbox.store.cancel(req.tenantId, req.params.id, at))) {
          const row = await s.outbox.store.get(req.tenantId, req.params.id);
          if (!row) throw new AppError('outbox.not_found');
          throw new AppError(
            'outbox.not_queued',
            `The message is ${row.state}; only a queued message can be cancelled.`,
            { state: row.state },
          );
        }
        const row = (await s.outbox.store.get(req.tenantId, req.params.id))!;
        if (row.guard_kind === 'code' && row.guard_id) await s.codes.service.giveUp(row.tenant_id, row.guard_id);
        return toOutboxMessage(row);
      },
    );
  };
