import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../../core/errors.js';
import { CAPTCHA_ACTIONS } from '../../../core/abuse/captcha.js';
import { normalizeEmail } from '../../../core/email-address.js';
import { hmacEquals } from '../../../core/codes/generate.js';
import { consumeMagicLink, magicLinksEnabled, sendMagicLink } from '../../../core/identity/flows/magic-link.js';
import { errorResponses } from '../../schemas.js';
import type { Services } from '../../context.js';
import { checkCaptcha } from '../abuse.js';
import { Email, Locale, MfaChallenge, PUBLIC, TokensSchema, callerOf } from './shared.js';

const tags = ['experience'];

/** The cookie that pairs a confirmation page with its "Sign in" POST (double submit). */
export const MAGIC_LINK_CSRF_COOKIE = 'postern_ml_csrf';
/** The header the confirmation page sends the CSRF token back in. */
export const MAGIC_LINK_CSRF_HEADER = 'x-postern-csrf';
export const magicLinkCsrf = () => randomBytes(32).toString('base64url');

function cookie(req: FastifyRequest, name: string): string | undefined {
  const raw = req.headers.cookie;
  if (typeof raw !== 'string') return undefined;
  for (const part of raw.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

/**
 * Only the confirmation page may spend a link: the request's `Origin` is POSTERN_PUBLIC_URL's
 * and its `X-Postern-Csrf` header equals the cookie that page set. A scanner that follows
 * links, or another site posting a stolen token, has neither.
 */
function assertFromConfirmationPage(s: Services, req: FastifyRequest): void {
  const origin = req.headers.origin;
  const header = req.headers[MAGIC_LINK_CSRF_HEADER];
  const stored = cookie(req, MAGIC_LINK_CSRF_COOKIE);
  const sameOrigin = typeof origin === 'string' && origin === new URL(s.config.publicUrl).origin;
  const csrfOk = typeof header === 'string' && header.length >= 16 && stored !== undefined && hmacEquals(header, stored);
  if (!sameOrigin || !csrfOk) throw new AppError('magic_link.forbidden');
}

const CaptchaToken = z.string().max(4096).meta({ description: 'The bot-protection token; required when bot protection is on, ignored when it is off' });
const LinkToken = z.string().min(1).max(300).meta({ description: 'The last segment of the link, `<verificationId>.<mac>`' });
const ConsumeAnswer = z.union([
  z.object({ tokens: TokensSchema, redirectTo: z.string().optional() }),
  MfaChallenge.extend({ redirectTo: z.string().optional() }),
  z.object({ status: z.literal('registration_required'), registrationToken: z.string(), redirectTo: z.string().optional() }),
]);

/** Magic links (SPEC §19): request one, and spend it from its confirmation page. */
export const magicLinkRoutes =
  (s: Services): FastifyPluginAsyncZod =>
  async (app) => {
    const d = s.identity.deps;
    app.get(
      '/api/experience/magic-links',
      {
        ...PUBLIC,
        schema: {
          operationId: 'getMagicLinkSettings',
          tags,
          security: [],
          summary: 'Whether this tenant offers sign-in by email link (the hosted pages show "Email me a link" when it does)',
          response: { 200: z.object({ enabled: z.boolean() }) },
        },
      },
      async (req) => ({ enabled: await magicLinksEnabled(d, callerOf(req)) }),
    );
    app.post(
      '/api/experience/magic-links',
      {
        ...PUBLIC,
        schema: {
          operationId: 'sendMagicLink',
          tags,
          security: [],
          summary: 'Email a sign-in link with the code as its fallback; the same answer whether or not an account exists',
          body: z.strictObject({
            email: Email,
            intent: z.enum(['sign-in', 'register']),
            redirectTo: z.string().min(1).max(2000).optional().meta({ description: 'Where to go after sign-in: a same-origin path or a redirect URI registered by an application' }),
            locale: Locale.optional(),
            captchaToken: CaptchaToken.optional(),
          }),
          response: { 202: z.object({ verificationId: z.string(), expiresAt: z.string(), resendAfter: z.number().int() }), ...errorResponses(400, 403, 422, 429, 502, 503, 504) },
        },
      },
      async (req, reply) => {
        await checkCaptcha(s, req, req.body.captchaToken, CAPTCHA_ACTIONS.sendCode);
        if (req.body.intent === 'register') await s.abuse.emailPolicy.assertAllowed(req.tenantId, normalizeEmail(req.body.email).address, { withReason: false });
        const registered = (tenantId: string, uri: string) => s.oidc.applications.hasRedirectUri(tenantId, uri);
        return reply.status(202).send(await sendMagicLink(d, callerOf(req, req.body.locale), req.body, registered));
      },
    );
    app.post(
      '/api/experience/magic-links/consume',
      {
        ...PUBLIC,
        schema: {
          operationId: 'consumeMagicLink',
          tags,
          security: [],
          summary: "Spend a magic link from its confirmation page (same-origin Origin and the page's X-Postern-Csrf header); answers like a code sign-in",
          body: z.strictObject({ token: LinkToken }),
          response: { 200: ConsumeAnswer, ...errorResponses(400, 403, 404, 429) },
        },
      },
      async (req, reply) => {
        assertFromConfirmationPage(s, req);
        reply.header('cache-control', 'no-store');
        return consumeMagicLink(d, callerOf(req), req.body.token);
      },
    );
  };
