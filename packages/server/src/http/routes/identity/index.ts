import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Services } from '../../context.js';

/** Users, experience, account, token, organization and invitation routes (SPEC §8–10). */
export const identityRoutes =
  (_s: Services): FastifyPluginAsyncZod =>
  async () => {};
