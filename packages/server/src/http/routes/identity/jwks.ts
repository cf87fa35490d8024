import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses } from '../../schemas.js';
import type { Services } from '../../context.js';
import { PUBLIC } from './shared.js';

const RotatedKeys = z.object({
  kid: z.string().meta({ description: 'The new ES256 key (access tokens and ES256 ID tokens)' }),
  keys: z.array(z.object({ kid: z.string(), alg: z.enum(['ES256', 'RS256']) })).meta({ description: 'Every new key, one per algorithm' }),
});

const Jwks = z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).meta({ id: 'JWKS' });

/** The public keys access tokens verify with (current and previous), and their rotation. */
export const jwksRoutes =
  (s: Services): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/.well-known/jwks.json',
      { ...PUBLIC, schema: { operationId: 'getJwks', tags: ['tokens'], security: [], summary: "The tenant's access-token signing keys (JWKS); /t/T/.well-known/jwks.json for tenant T", response: { 200: Jwks, ...errorResponses(404) } } },
      async (req, reply) => {
        reply.header('cache-control', 'public, max-age=300');
        return (await s.identity.keys.jwks(req.tenantId)) as unknown as { keys: Array<Record<string, unknown>> };
      },
    );
    app.post(
      '/api/signing-keys/rotate',
      { schema: { operationId: 'rotateSigningKey', tags: ['tokens'], summary: 'Make a new signing key for every algorithm the tenant signs with (ES256, and RS256 once its OpenID Provider has run); the keys they replace stay published until the tokens they signed have expired', response: { 200: RotatedKeys, ...errorResponses(401, 403) } } },
      async (req) => s.identity.keys.rotate(req.tenantId),
    );
  };
