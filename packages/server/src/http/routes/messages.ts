import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { TEMPLATE_TYPES } from '@postern/connector-kit';
import { normalizeEmail } from '../../core/email-address.js';
import { errorResponses } from '../schemas.js';
import type { Services } from '../context.js';

/** `POST /api/messages` (SPEC §18): a tenant template rendered with the caller's variables. */
export const messageRoutes =
  (s: Services): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/api/messages',
      {
        schema: {
          operationId: 'sendMessage',
          tags: ['messages'],
          summary:
            "Render the tenant's template with your own variables (`code` included, for systems that make their own codes) and send it",
          body: z.strictObject({
            to: z.string().min(1).max(320),
            templateType: z.enum(TEMPLATE_TYPES),
            locale: z.string().min(2).max(35).optional(),
            variables: z
              .record(z.string(), z.unknown())
              .default({})
              .meta({
                description:
                  'Template variables: code, link, expiresInMinutes, application, organization, user, inviter',
              }),
          }),
          response: {
            201: z.object({ messageId: z.string().meta({ description: 'The email log id of the message' }) }),
            ...errorResponses(400, 401, 403, 422, 429, 502, 504),
          },
        },
      },
      async (req, reply) => {
        const to = normalizeEmail(req.body.to, 'to').address;
        const out = await s.messages.send(
          {
            tenantId: req.tenantId,
            to,
            templateType: req.body.templateType,
            locale: req.body.locale,
            acceptLanguage: req.headers['accept-language'],
            variables: req.body.variables,
            ip: req.ip,
          },
          'api',
        );
        if (!out.ok) throw out.error!;
        return reply.status(201).send({ messageId: out.logId });
      },
    );
  };
