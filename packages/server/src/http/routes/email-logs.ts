import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { TEMPLATE_TYPES } from '@postern/connector-kit';
import { errorResponses, PageQuery, pageOf } from '../schemas.js';
import type { Services } from '../context.js';
import { EMAIL_SOURCES } from '../../core/ports.js';

const EmailLog = z
  .object({
    id: z.string(),
    factoryId: z.string(),
    templateType: z.string(),
    to: z.string(),
    subject: z.string(),
    status: z.enum(['sent', 'failed', 'captured', 'suppressed']),
    providerMessageId: z.string().nullable(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    attempts: z.number().int(),
    durationMs: z.number(),
    createdAt: z.string(),
    source: z.enum(EMAIL_SOURCES).meta({ description: 'Where the send came from: the management API, an end-user flow, the SMTP listener, an integration hook or a test send' }),
    deliveryStatus: z
      .enum(['delivered', 'delayed', 'bounced', 'complained'])
      .nullable()
      .meta({ description: "The latest event from the provider's webhook; null before any" }),
    events: z
      .array(
        z.object({
          type: z.enum(['delivered', 'delayed', 'bounced', 'complained']),
          at: z.string(),
          detail: z.object({
            bounceType: z.enum(['hard', 'soft']).optional(),
            recipient: z.string(),
            message: z.string().optional(),
          }),
        }),
      )
      .meta({ description: "Events from the provider's webhook (SPEC §16), oldest first" }),
    attemptLog: z
      .array(
        z.object({
          role: z.enum(['primary', 'fallback']),
          factoryId: z.string(),
          at: z.string(),
          outcome: z.enum(['sent', 'captured', 'failed', 'skipped']),
          attempts: z.number().int().optional(),
          error: z.object({ code: z.string(), message: z.string() }).optional(),
        }),
      )
      .meta({ description: 'Each connector the send tried, in order (primary, then fallback); `skipped` when its circuit was open.' }),
  })
  .meta({ id: 'EmailLog' });

export const emailLogRoutes =
  (s: Services): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/api/email-logs',
      {
        schema: {
          operationId: 'listEmailLogs',
          tags: ['email logs'],
          summary: 'Every send, newest first',
          querystring: PageQuery.extend({
            status: z.enum(['sent', 'failed', 'captured', 'suppressed']).optional(),
            templateType: z.enum(TEMPLATE_TYPES).optional(),
            to: z.string().max(320).optional(),
            source: z.enum(EMAIL_SOURCES).optional(),
          }),
          response: { 200: pageOf(EmailLog), ...errorResponses(400, 401, 403) },
        },
      },
      async (req) => {
        const { limit, cursor, status, templateType, to, source } = req.query;
        const page = await s.email.logs.list(req.tenantId, { status, templateType, to: to?.trim(), source }, { limit, cursor });
        const events = await s.events.providerEvents.eventsFor(
          req.tenantId,
          page.items.map((i) => i.id),
        );
        return {
          items: page.items.map(({ tenantId: _t, deliveryStatus, ...rest }) => ({
            ...rest,
            source: rest.source ?? 'api',
            attemptLog: rest.attemptLog ?? [],
            deliveryStatus: deliveryStatus ?? null,
            events: (events.get(rest.id) ?? []).map((e) => ({
              type: e.type,
              at: e.at,
              detail: {
                recipient: e.recipient,
                ...(e.bounceType ? { bounceType: e.bounceType } : {}),
                ...(e.detail ? { message: e.detail } : {}),
              },
            })),
          })),
          nextCursor: page.nextCursor,
        };
      },
    );
  };
