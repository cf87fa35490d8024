import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { TEMPLATE_TYPES, type TemplateType } from '@postern/connector-kit';
import { SHIPPED_LOCALES } from '../../core/templates/index.js';
import { CODE_MASK } from '../../core/delivery/sender.js';
import { errorResponses, PageQuery, pageOf } from '../schemas.js';
import type { Services } from '../context.js';
import { EMAIL_SOURCES, type EmailLogEntry } from '../../core/ports.js';
import { AppError } from '../../core/errors.js';

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
    test: z.boolean().meta({ description: 'A connector test send from the console or `POST /api/connectors/test`' }),
  })
  .meta({ id: 'EmailLog' });

const Message = z
  .object({
    locale: z.string(),
    subject: z.string(),
    html: z.string(),
    text: z.string(),
    exact: z.boolean().meta({ description: "Whether this language's subject is the one sent; false when no shipped or tenant language renders it (a template edited since)" }),
  })
  .meta({ id: 'EmailLogMessage' });

export const emailLogRoutes =
  (s: Services): FastifyPluginAsyncZod =>
  async (app) => {
    /** The entry's message from the current templates, in the language whose subject is the logged one. */
    const renderAgain = async (entry: EmailLogEntry) => {
      let first: z.infer<typeof Message> | undefined;
      for (const locale of SHIPPED_LOCALES) {
        try {
          const r = await s.templates.templates.render({ tenantId: entry.tenantId, templateType: entry.templateType as TemplateType, locale, variables: { code: CODE_MASK, expiresInMinutes: 10 }, customTemplates: true });
          const m = { locale: r.locale, subject: r.subject, html: r.html, text: r.text ?? '', exact: r.subject === entry.subject };
          if (m.exact) return m;
          first ??= { ...m, exact: false };
        } catch {
          // A template that no longer renders: try the next language.
        }
      }
      return first ?? null;
    };
    const withEvents = async (tenantId: string, items: EmailLogEntry[]) => {
      const events = await s.events.providerEvents.eventsFor(
        tenantId,
        items.map((i) => i.id),
      );
      return items.map(({ tenantId: _t, deliveryStatus, ...rest }) => ({
        ...rest,
        source: rest.source ?? 'api',
        attemptLog: rest.attemptLog ?? [],
        test: (rest.attemptLog ?? []).some((a) => a.test),
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
      }));
    };

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
            search: z.string().max(320).optional().meta({ description: 'Part of the recipient address, any case' }),
          }),
          response: { 200: pageOf(EmailLog), ...errorResponses(400, 401, 403) },
        },
      },
      async (req) => {
        const { limit, cursor, status, templateType, to, search, source } = req.query;
        const page = await s.email.logs.list(req.tenantId, { status, templateType, to: to?.trim(), search: search?.trim() || undefined, source }, { limit, cursor });
        return { items: await withEvents(req.tenantId, page.items), nextCursor: page.nextCursor };
      },
    );

    app.get(
      '/api/email-logs/:id',
      {
        schema: {
          operationId: 'getEmailLog',
          tags: ['email logs'],
          summary: 'One send, with each attempt and the later provider events',
          params: z.object({ id: z.string().max(100) }),
          response: {
            200: EmailLog.extend({
              message: Message.nullable().meta({
                description:
                  'The message rendered again from the tenant’s current template with the code masked, in the language whose subject matches the one sent (the log keeps no body and no code); null for a suppressed address',
              }),
            }),
            ...errorResponses(400, 401, 403, 404),
          },
        },
      },
      async (req) => {
        const entry = await s.email.logs.get(req.tenantId, req.params.id);
        if (!entry) throw new AppError('email_log.not_found', 'No email log entry has this id in this tenant.');
        const [one] = await withEvents(req.tenantId, [entry]);
        return { ...one!, message: entry.status === 'suppressed' ? null : await renderAgain(entry) };
      },
    );
  };
