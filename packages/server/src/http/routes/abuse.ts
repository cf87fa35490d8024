import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { BotProtectionSchema, CAPTCHA_PROVIDERS } from '../../core/abuse/captcha.js';
import { EmailPolicySchema } from '../../core/abuse/domain-policy.js';
import { normalizeEmail } from '../../core/email-address.js';
import { errorResponses } from '../schemas.js';
import type { Services } from '../context.js';

const tags = ['abuse protection'];

/**
 * Whether a call on a public route carries an admin key valid for its tenant: such calls
 * are exempt from bot protection (SPEC §19). A key that is present but not valid exempts
 * nothing and is otherwise ignored, as on every public route.
 */
export async function hasAdminKey(s: Services, req: FastifyRequest): Promise<boolean> {
  const header = req.headers.authorization;
  const m = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!m) return false;
  const principal = await s.adminKeys.authenticate(m[1]!);
  return !!principal && (principal.tenantId === null || principal.tenantId === req.tenantId);
}

/** The bot check before an unauthenticated send (SPEC §19). */
export async function checkCaptcha(s: Services, req: FastifyRequest, token: unknown, action: string): Promise<void> {
  await s.abuse.botProtection.check(req.tenantId, { token, ip: req.ip, action, exempt: await hasAdminKey(s, req) });
}

/**
 * `422 email.blocked` when the tenant's email policy refuses an address (SPEC §19), with
 * `details.reason` on management routes (an admin key) only. The address is normalised as
 * every flow does (a malformed one is `400 request.invalid`).
 */
export async function assertEmailAllowed(
  s: Services,
  req: FastifyRequest,
  email: string,
  field = 'email',
): Promise<void> {
  await s.abuse.emailPolicy.assertAllowed(req.tenantId, normalizeEmail(email, field).address, {
    withReason: !!req.principal,
    field,
  });
}

/** `GET/PATCH /api/bot-protection`, `GET/PATCH /api/email-policy` and the widget settings of the hosted pages. */
export const abuseRoutes =
  (s: Services): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/api/bot-protection',
      {
        schema: {
          operationId: 'getBotProtection',
          tags,
          summary: 'Bot protection of the public sends (secret masked)',
          response: { 200: BotProtectionSchema, ...errorResponses(401, 403) },
        },
      },
      async (req) => s.abuse.botProtection.get(req.tenantId),
    );
    app.patch(
      '/api/bot-protection',
      {
        schema: {
          operationId: 'updateBotProtection',
          tags,
          summary:
            'Change bot protection (JSON Merge Patch); a masked secretKey keeps the stored one unless provider or verifyUrl changes',
          body: z.record(z.string(), z.unknown()).meta({ description: 'A JSON Merge Patch of BotProtection' }),
          response: { 200: BotProtectionSchema, ...errorResponses(400, 401, 403) },
        },
      },
      async (req) => s.abuse.botProtection.patch(req.tenantId, req.body),
    );
    app.get(
      '/api/experience/bot-protection',
      {
        config: { auth: 'public' },
        schema: {
          operationId: 'getExperienceBotProtection',
          tags: ['experience'],
          security: [],
          summary: 'What the sign-in pages need to render the bot check widget (no secret)',
          response: {
            200: z.object({
              provider: z.enum(CAPTCHA_PROVIDERS),
              siteKey: z.string().nullable(),
              action: z.string(),
              scriptUrl: z.string().nullable().meta({ description: "The provider's widget script to load (null when off)" }),
            }),
            ...errorResponses(404),
          },
        },
      },
      async (req) => s.abuse.botProtection.getPublic(req.tenantId),
    );
    app.get(
      '/api/email-policy',
      {
        schema: {
          operationId: 'getEmailPolicy',
          tags,
          summary: 'The email domain policy',
          response: { 200: EmailPolicySchema, ...errorResponses(401, 403) },
        },
      },
      async (req) => s.abuse.emailPolicy.get(req.tenantId),
    );
    app.patch(
      '/api/email-policy',
      {
        schema: {
          operationId: 'updateEmailPolicy',
          tags,
          summary: 'Change the email domain policy (JSON Merge Patch)',
          body: z.record(z.string(), z.unknown()).meta({ description: 'A JSON Merge Patch of EmailPolicy' }),
          response: { 200: EmailPolicySchema, ...errorResponses(400, 401, 403) },
        },
      },
      async (req) => s.abuse.emailPolicy.patch(req.tenantId, req.body),
    );
  };
