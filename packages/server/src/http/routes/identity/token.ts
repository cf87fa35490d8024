import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses, NoContent } from '../../schemas.js';
import type { Services } from '../../context.js';
import { OpaqueToken, PUBLIC, TokensSchema } from './shared.js';

/** `POST /api/token` (refresh rotation) and `POST /api/sign-out` (SPEC §8). */
export const tokenRoutes =
  (s: Services): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/api/token',
      {
        ...PUBLIC,
        schema: {
          operationId: 'refreshTokens',
          tags: ['experience'],
          security: [],
          summary: 'Trade a refresh token for new tokens; a used refresh token is dead, and presenting it again ends its session',
          body: z.strictObject({ grantType: z.literal('refresh_token'), refreshToken: OpaqueToken }),
          response: { 200: TokensSchema, ...errorResponses(400, 401) },
        },
      },
      async (req) => s.identity.tokens.rotate(req.tenantId, req.body.refreshToken, (id) => s.identity.stores.users.get(req.tenantId, id)),
    );
    app.post(
      '/api/sign-out',
      { ...PUBLIC, schema: { operationId: 'signOut', tags: ['experience'], security: [], summary: "End the refresh token's session", body: z.strictObject({ refreshToken: OpaqueToken }), response: { 204: NoContent, ...errorResponses(400) } } },
      async (req, reply) => {
        await s.identity.tokens.signOut(req.tenantId, req.body.refreshToken);
        return reply.status(204).send(null);
      },
    );
  };
