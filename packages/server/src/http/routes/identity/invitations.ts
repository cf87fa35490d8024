import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses } from '../../schemas.js';
import type { Services } from '../../context.js';
import { PUBLIC, bearerAccount } from './shared.js';

const Params = z.strictObject({ token: z.string().min(1).max(100) });
const tags = ['invitations'];

/** The invitee's side of invitations (SPEC §10), no admin key. */
export const invitationRoutes =
  (s: Services): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/api/invitations/:token',
      {
        ...PUBLIC,
        schema: {
          operationId: 'getInvitation',
          tags,
          security: [],
          summary: 'What an invitation is for; read only, so link scanners may fetch it',
          params: Params,
          response: { 200: z.object({ organization: z.object({ name: z.string() }), email: z.string(), status: z.string(), expiresAt: z.string() }), ...errorResponses(400, 404) },
        },
      },
      async (req) => s.identity.invitations.lookup(req.tenantId, req.params.token),
    );
    app.post(
      '/api/invitations/:token/accept',
      {
        ...PUBLIC,
        schema: {
          operationId: 'acceptInvitation',
          tags,
          security: [{ accessToken: [] }],
          summary: "Join the organization; needs the invitee's access token with the invited, verified email",
          params: Params,
          response: { 200: z.object({ organization: z.object({ id: z.string(), name: z.string() }), userId: z.string(), status: z.literal('accepted') }), ...errorResponses(400, 401, 403, 404, 410) },
        },
      },
      async (req) => s.identity.invitations.accept(req.tenantId, req.params.token, (await bearerAccount(s, req)).claims),
    );
  };
