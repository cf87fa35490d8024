import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { WEBHOOK_EVENTS } from '../../core/webhooks/service.js';
import { errorResponses, Id, NoContent, PageQuery, pageOf } from '../schemas.js';
import type { Services } from '../context.js';

const EventType = z.enum(WEBHOOK_EVENTS);
const Events = z
  .array(EventType)
  .min(1)
  .max(WEBHOOK_EVENTS.length * 2)
  .meta({ description: 'The events this endpoint receives' });
const Url = z
  .string()
  .min(1)
  .max(2000)
  .meta({ description: 'An https URL (plain http only for hosts in POSTERN_OUTBOUND_ALLOW)' });

const Webhook = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(EventType),
    enabled: z.boolean(),
    disabledReason: z
      .string()
      .nullable()
      .meta({ description: 'Why Postern disabled it (every delivery failed for 24 hours), or null' }),
    failingSince: z.string().nullable().meta({ description: 'When the current run of failed deliveries began' }),
    previousSecretExpiresAt: z
      .string()
      .nullable()
      .meta({ description: 'Until when the secret replaced by the last rotation still signs beside the new one' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Webhook' });

const WebhookWithSecret = Webhook.extend({
  secret: z.string().meta({ description: 'The whsec_ signing secret, shown only in this answer' }),
}).meta({ id: 'WebhookWithSecret' });

const Delivery = z
  .object({
    id: z.string(),
    webhookId: z.string(),
    eventId: z
      .string()
      .meta({ description: 'The webhook-id header: the same on every attempt and redelivery of one event' }),
    eventType: z.string(),
    state: z.enum(['queued', 'sending', 'delivered', 'failed']),
    attempts: z.number().int(),
    lastStatus: z.number().int().nullable().meta({ description: "The receiver's last HTTP status" }),
    lastError: z.string().nullable(),
    nextAttemptAt: z.string().nullable(),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
    payload: z.unknown().meta({ description: 'The JSON body sent: {type, timestamp, data}' }),
  })
  .meta({ id: 'WebhookDelivery' });

const Params = z.strictObject({ id: Id });

/** Event webhooks out (SPEC §16). */
export const webhookRoutes =
  (s: Services): FastifyPluginAsyncZod =>
  async (app) => {
    const hooks = s.webhooks;
    app.post(
      '/api/webhooks',
      {
        schema: {
          operationId: 'createWebhook',
          tags: ['webhooks'],
          summary: 'Register an endpoint for events; the signing secret is shown once',
          body: z.strictObject({ url: Url, events: Events, enabled: z.boolean().optional() }),
          response: { 201: WebhookWithSecret, ...errorResponses(400, 401, 403, 422) },
        },
      },
      async (req, reply) => reply.status(201).send(await hooks.create(req.tenantId, req.body)),
    );
    app.get(
      '/api/webhooks',
      {
        schema: {
          operationId: 'listWebhooks',
          tags: ['webhooks'],
          summary: 'Event webhooks, newest first',
          querystring: PageQuery,
          response: { 200: pageOf(Webhook), ...errorResponses(400, 401, 403) },
        },
      },
      async (req) => hooks.list(req.tenantId, { limit: req.query.limit, cursor: req.query.cursor }),
    );
    app.get(
      '/api/webhooks/:id',
      {
        schema: {
          operationId: 'getWebhook',
          tags: ['webhooks'],
          summary: 'One webhook (without its secret)',
          params: Params,
          response: { 200: Webhook, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (req) => hooks.get(req.tenantId, req.params.id),
    );
    app.patch(
      '/api/webhooks/:id',
      {
        schema: {
          operationId: 'updateWebhook',
          tags: ['webhooks'],
          summary: 'Change the URL or the events, or enable and disable it (JSON Merge Patch)',
          params: Params,
          body: z.strictObject({ url: Url.optional(), events: Events.optional(), enabled: z.boolean().optional() }),
          response: { 200: Webhook, ...errorResponses(400, 401, 403, 404, 422) },
        },
      },
      async (req) => hooks.update(req.tenantId, req.params.id, req.body),
    );
    app.delete(
      '/api/webhooks/:id',
      {
        schema: {
          operationId: 'deleteWebhook',
          tags: ['webhooks'],
          summary: 'Delete a webhook and its deliveries',
          params: Params,
          response: { 204: NoContent, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (req, reply) => {
        await hooks.remove(req.tenantId, req.params.id);
        return reply.status(204).send(null);
      },
    );
    app.post(
      '/api/webhooks/:id/secret',
      {
        schema: {
          operationId: 'rotateWebhookSecret',
          tags: ['webhooks'],
          summary: 'A new signing secret (shown once); the old one keeps signing beside it for 24 hours',
          params: Params,
          response: { 200: WebhookWithSecret, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (req) => hooks.rotateSecret(req.tenantId, req.params.id),
    );
    app.post(
      '/api/webhooks/:id/test',
      {
        schema: {
          operationId: 'testWebhook',
          tags: ['webhooks'],
          summary: 'Send a webhook.test event now; answers the delivery after its first attempt',
          params: Params,
          response: { 201: Delivery, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (req, reply) => reply.status(201).send(await hooks.sendTest(req.tenantId, req.params.id)),
    );
    app.get(
      '/api/webhooks/:id/deliveries',
      {
        schema: {
          operationId: 'listWebhookDeliveries',
          tags: ['webhooks'],
          summary: 'Deliveries of a webhook, newest first',
          params: Params,
          querystring: PageQuery,
          response: { 200: pageOf(Delivery), ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (req) =>
        hooks.deliveries(req.tenantId, req.params.id, { limit: req.query.limit, cursor: req.query.cursor }),
    );
    app.post(
      '/api/webhooks/:id/deliveries/:did/redeliver',
      {
        schema: {
          operationId: 'redeliverWebhook',
          tags: ['webhooks'],
          summary: 'Send the event of a delivery again (same webhook-id) as a new delivery, attempted now',
          params: z.strictObject({ id: Id, did: Id }),
          response: { 201: Delivery, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (req, reply) => reply.status(201).send(await hooks.redeliver(req.tenantId, req.params.id, req.params.did)),
    );
  };
