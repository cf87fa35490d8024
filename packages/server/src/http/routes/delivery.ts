import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ConnectorError } from '@postern/connector-kit';
import { AppError } from '../../core/errors.js';
import { errorResponses } from '../schemas.js';
import type { Services } from '../context.js';

const FallbackConnector = z
  .object({
    id: z.string(),
    factoryId: z.string(),
    type: z.literal('email'),
    role: z.literal('fallback'),
    config: z
      .record(z.string(), z.unknown())
      .meta({ description: 'Secrets are masked as "••••" + the last 4 characters' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'FallbackConnector' });

const Health = z
  .object({
    role: z.enum(['primary', 'fallback']),
    factoryId: z.string(),
    circuit: z.enum(['closed', 'open', 'half-open']),
    lastError: z.object({ code: z.string(), message: z.string(), at: z.string() }).nullable(),
    sent5m: z.number().int(),
    failed5m: z.number().int(),
    p95Ms: z.number().int().nullable(),
  })
  .meta({ id: 'ConnectorHealth' });

/** The fallback connector and connector health (SPEC §15). */
export const deliveryRoutes =
  (s: Services): FastifyPluginAsyncZod =>
  async (app) => {
    const fallback = s.email.fallback;
    const toPublic = (c: Parameters<typeof fallback.toPublic>[0]) => ({
      ...fallback.toPublic(c),
      role: 'fallback' as const,
    });

    app.put(
      '/api/connectors/email/fallback',
      {
        schema: {
          operationId: 'replaceFallbackConnector',
          tags: ['connectors'],
          summary: 'Create or replace the fallback email connector',
          description:
            'Used when the primary fails with connector.unavailable, timeout, rate_limited, auth_failed or delivery_failed, or while its circuit is open; never for connector.rejected_recipient. The built-in service cannot be the fallback while it captures into the mailbox. An invalid config is 400 connector.bad_config and changes nothing.',
          body: z.strictObject({ factoryId: z.string().min(1).max(100), config: z.record(z.string(), z.unknown()) }),
          response: { 200: FallbackConnector, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (req) => {
        if (req.body.factoryId === 'builtin' && !s.config.builtinRelay) {
          throw new ConnectorError(
            'connector.bad_config',
            'The built-in service captures mail into the mailbox (no POSTERN_BUILTIN_RELAY), so it cannot deliver as a fallback.',
            {
              details: { issues: [{ path: 'factoryId', message: 'builtin captures into the mailbox here' }] },
            },
          );
        }
        return toPublic(await fallback.replace(req.tenantId, req.body.factoryId, req.body.config));
      },
    );

    app.get(
      '/api/connectors/email/fallback',
      {
        schema: {
          operationId: 'getFallbackConnector',
          tags: ['connectors'],
          summary: 'The fallback email connector',
          response: { 200: FallbackConnector, ...errorResponses(401, 403, 404) },
        },
      },
      async (req) => {
        const c = await s.email.fallback.list(req.tenantId);
        const stored = c[0] ? await fallback.get(req.tenantId, c[0].id) : undefined;
        if (!stored) throw new AppError('connector.not_found', 'This tenant has no fallback connector.');
        return toPublic(stored);
      },
    );

    app.delete(
      '/api/connectors/email/fallback',
      {
        schema: {
          operationId: 'deleteFallbackConnector',
          tags: ['connectors'],
          summary: 'Remove the fallback email connector',
          response: { 200: z.object({ deleted: z.literal(true) }), ...errorResponses(401, 403, 404) },
        },
      },
      async (req) => {
        const c = (await fallback.list(req.tenantId))[0];
        if (!c) throw new AppError('connector.not_found', 'This tenant has no fallback connector.');
        await fallback.delete(req.tenantId, c.id, true);
        return { deleted: true as const };
      },
    );

    app.get(
      '/api/connectors/health',
      {
        schema: {
          operationId: 'getConnectorHealth',
          tags: ['connectors'],
          summary: "Each connector's circuit and recent results on this instance",
          description: 'Circuits and counts are kept per instance: each instance learns on its own.',
          response: { 200: z.object({ items: z.array(Health) }), ...errorResponses(401, 403) },
        },
      },
      async (req) => {
        const items = [];
        for (const [role, svc] of [
          ['primary', s.email.connectors],
          ['fallback', s.email.fallback],
        ] as const) {
          const c = (await svc.list(req.tenantId))[0];
          if (!c) continue;
          const circuit = s.email.circuits.get(req.tenantId, role);
          const current = circuit && circuit.key === `${c.id}@${c.updatedAt}` ? circuit : undefined;
          const stats = current?.stats() ?? { sent5m: 0, failed5m: 0, p95Ms: null };
          items.push({
            role,
            factoryId: c.factoryId,
            circuit: current?.state ?? ('closed' as const),
            lastError: current?.lastError ?? null,
            ...stats,
          });
        }
        return { items };
      },
    );
  };
