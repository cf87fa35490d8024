import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { safeEqual } from '../../lib/crypto.js';
import { AppError } from '../../core/errors.js';
import type { Services } from '../context.js';

export const healthRoutes =
  (s: Services): FastifyPluginAsyncZod =>
  async (app) => {
    const Ok = z.object({ status: z.literal('ok') });
    app.get('/healthz', { config: { auth: 'public' }, schema: { operationId: 'getHealth', tags: ['health'], summary: 'The process is up', security: [], response: { 200: Ok } } }, async () => ({ status: 'ok' as const }));
    app.get(
      '/readyz',
      { config: { auth: 'public' }, schema: { operationId: 'getReadiness', tags: ['health'], summary: 'The database (and Redis, when configured) is reachable', security: [], response: { 200: Ok } } },
      async () => {
        try {
          await s.pingDatabase();
        } catch (err) {
          throw new AppError('service.unavailable', 'The database is not reachable.', {}, { cause: err, headers: { 'retry-after': '5' } });
        }
        try {
          await s.limits.ping();
        } catch (err) {
          throw new AppError('service.unavailable', 'The rate-limit store (Redis) is not reachable.', {}, { cause: err, headers: { 'retry-after': '5' } });
        }
        return { status: 'ok' as const };
      },
    );
    app.get('/metrics', { config: { auth: 'public' }, schema: { hide: true } }, async (req, reply) => {
      if (s.config.metricsToken) {
        const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
        if (!m || !safeEqual(m[1]!, s.config.metricsToken)) throw new AppError('auth.unauthorized', 'The metrics token is required (Authorization: Bearer <POSTERN_METRICS_TOKEN>).');
      }
      reply.type(s.metrics.registry.contentType);
      return s.metrics.registry.metrics();
    });
  };
