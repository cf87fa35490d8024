import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../core/errors.js';
import { errorResponses, Id } from '../schemas.js';
import type { Services } from '../context.js';

const Received = z
  .object({
    received: z.number().int().meta({ description: 'Events the request carried' }),
    recorded: z.number().int().meta({ description: 'Events matched to a sent message and recorded now' }),
    ignored: z.number().int().meta({ description: 'Events for messages Postern did not send, or already recorded' }),
  })
  .meta({ id: 'ProviderEventsReceived' });

/**
 * `POST /api/provider-events/:factoryId` (SPEC §16): the provider calls it with its own
 * authentication, so it takes no admin key and reads the body as raw bytes (signatures are
 * over the exact bytes; SNS posts text/plain).
 */
export const providerEventRoutes =
  (s: Services): FastifyPluginAsyncZod =>
  async (root) => {
    await root.register(async (plain) => {
      const app = plain.withTypeProvider<ZodTypeProvider>();
      app.removeAllContentTypeParsers();
      app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
      app.post(
        '/api/provider-events/:factoryId',
        {
          config: { auth: 'public' },
          schema: {
            operationId: 'receiveProviderEvents',
            tags: ['provider events'],
            summary: "Delivery events from the email provider's own webhook (bounces, complaints, deliveries)",
            description:
              "Checked with the provider's own authentication: SNS signatures (aws-ses), the Signed Event Webhook (sendgrid), the webhook signing key (mailgun), generated basic-auth credentials (postmark), the Svix signature (resend), Standard Webhooks with the signingSecret (http). Events for messages Postern did not send are accepted and ignored.",
            security: [],
            params: z.strictObject({ factoryId: Id }),
            response: { 200: Received, ...errorResponses(400, 401, 404, 413, 502) },
          },
        },
        async (req) => {
          const headers: Record<string, string | undefined> = {};
          for (const [k, v] of Object.entries(req.headers))
            headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
          const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
          return s.events.providerEvents.receive(req.tenantId, req.params.factoryId, { headers, rawBody });
        },
      );
    });

    root.post(
      '/api/connectors/:id/events-credentials',
      {
        schema: {
          operationId: 'renewConnectorEventsCredentials',
          tags: ['connectors'],
          summary: "New basic-auth credentials for the connector's events URL (Postmark); the old ones stop working",
          params: z.strictObject({ id: Id }),
          response: {
            200: z.object({
              eventsUrl: z.string().meta({ description: 'With the credentials in full: shown this once' }),
            }),
            ...errorResponses(400, 401, 403, 404),
          },
        },
      },
      async (req) => {
        const c = await s.email.connectors.get(req.tenantId, req.params.id);
        if (c.factoryId !== 'postmark')
          throw new AppError(
            'request.invalid',
            'Only Postmark connectors use generated credentials; the other providers sign their events.',
            { issues: [{ path: 'id', message: `a ${c.factoryId} connector` }] },
          );
        const fresh = await s.events.providerEvents.newCredentials(c);
        return { eventsUrl: (await s.events.providerEvents.eventsUrl(c, fresh))! };
      },
    );
  };
