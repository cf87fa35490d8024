import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SignInExperienceSchema } from '../../core/sign-in-experience.js';
import { errorResponses } from '../schemas.js';
import type { Services } from '../context.js';

export const signInExperienceRoutes =
  (s: Services): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/api/sign-in-experience',
      { schema: { operationId: 'getSignInExperience', tags: ['sign-in experience'], summary: 'The sign-in experience', response: { 200: SignInExperienceSchema, ...errorResponses(401, 403) } } },
      async (req) => s.email.signInExperience.get(req.tenantId),
    );
    app.patch(
      '/api/sign-in-experience',
      {
        schema: {
          operationId: 'updateSignInExperience',
          tags: ['sign-in experience'],
          summary: 'Change the sign-in experience (JSON Merge Patch)',
          body: z.record(z.string(), z.unknown()).meta({ description: 'A JSON Merge Patch of the SignInExperience' }),
          response: { 200: SignInExperienceSchema, ...errorResponses(400, 401, 403, 422) },
        },
      },
      async (req) => s.email.signInExperience.patch(req.tenantId, req.body),
    );
  };
