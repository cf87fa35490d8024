import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Services } from '../../context.js';
import { experienceRoutes } from './experience.js';
import { tokenRoutes } from './token.js';
import { jwksRoutes } from './jwks.js';
import { accountRoutes } from './account.js';
import { userRoutes } from './users.js';
import { organizationRoutes } from './organizations.js';
import { invitationRoutes } from './invitations.js';
import { magicLinkRoutes } from './magic-links.js';

/** Users, experience, account, token, organization and invitation routes (SPEC §8–10). */
export const identityRoutes =
  (s: Services): FastifyPluginAsyncZod =>
  async (app) => {
    await app.register(experienceRoutes(s));
    await app.register(tokenRoutes(s));
    await app.register(jwksRoutes(s));
    await app.register(accountRoutes(s));
    await app.register(userRoutes(s));
    await app.register(organizationRoutes(s));
    await app.register(invitationRoutes(s));
    await app.register(magicLinkRoutes(s));
  };
