import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { sendExperienceCode } from '../../../core/identity/flows/send-code.js';
import { register } from '../../../core/identity/flows/register.js';
import { signInWithCode, signInWithPassword } from '../../../core/identity/flows/sign-in.js';
import { resetPassword } from '../../../core/identity/flows/forgot-password.js';
import { sendMfaCode, verifyMfa } from '../../../core/identity/flows/mfa.js';
import { errorResponses, NoContent } from '../../schemas.js';
import { isSingleLineText, SINGLE_LINE_MESSAGE } from '@postern/connector-kit';
import type { Services } from '../../context.js';
import { CAPTCHA_ACTIONS } from '../../../core/abuse/captcha.js';
import { normalizeEmail } from '../../../core/email-address.js';
import { checkCaptcha } from '../abuse.js';
import { Code, Email, Locale, MfaChallenge, OpaqueToken, Password, PUBLIC, TokensSchema, UserSchema, VerificationId, ApplicationId, callerOf, callerWithApplication } from './shared.js';

const tags = ['experience'];
/** The token the bot-protection widget produced; required when the tenant turned bot protection on. */
const CaptchaToken = z.string().max(4096).meta({ description: 'The Turnstile, hCaptcha or reCAPTCHA token; required when bot protection is on (GET /api/experience/bot-protection), ignored when it is off' });
/** A name given at sign-up: one line, no control characters (it reaches mail headers). */
const UserName = z.string().max(200).refine(isSingleLineText, SINGLE_LINE_MESSAGE);
const SignInAnswer = z.union([z.object({ tokens: TokensSchema }), MfaChallenge]);

/** The end-user flows of SPEC §8 under /api/experience (no key). */
export const experienceRoutes =
  (s: Services): FastifyPluginAsyncZod =>
  async (app) => {
    const d = s.identity.deps;
    app.post(
      '/api/experience/verification-codes',
      {
        ...PUBLIC,
        schema: {
          operationId: 'sendExperienceVerificationCode',
          tags,
          security: [],
          summary: 'Send a SignIn, Register or ForgotPassword code; the same answer whether or not an account exists',
          body: z.strictObject({ email: Email, intent: z.enum(['sign-in', 'register', 'forgot-password']), locale: Locale.optional(), captchaToken: CaptchaToken.optional(), applicationId: ApplicationId.optional() }),
          response: { 202: z.object({ verificationId: z.string(), expiresAt: z.string(), resendAfter: z.number().int() }), ...errorResponses(400, 403, 422, 429, 502, 503, 504) },
        },
      },
      async (req, reply) => {
        // Bot protection first, before anything is looked up or sent (SPEC §19).
        await checkCaptcha(s, req, req.body.captchaToken, CAPTCHA_ACTIONS.sendCode);
        // Sign-up is where the domain policy answers; it depends on the address alone, never on an account.
        if (req.body.intent === 'register') await s.abuse.emailPolicy.assertAllowed(req.tenantId, normalizeEmail(req.body.email).address, { withReason: false });
        return reply.status(202).send(await sendExperienceCode(d, await callerWithApplication(s, req, req.body.locale, req.body.applicationId), req.body));
      },
    );
    app.post(
      '/api/experience/register',
      {
        ...PUBLIC,
        schema: {
          operationId: 'register',
          tags,
          security: [],
          summary: 'Create an account with a Register code, or with the registration token of a code sign-in; 422 email.blocked when the email policy refuses the address',
          body: z.union([
            z.strictObject({ email: Email, verificationId: VerificationId, code: Code, password: Password.optional(), name: UserName.optional() }),
            z.strictObject({ registrationToken: OpaqueToken, password: Password.optional(), name: UserName.optional() }),
          ]),
          response: { 201: z.object({ user: UserSchema, tokens: TokensSchema }), ...errorResponses(400, 401, 403, 404, 409, 422, 429) },
        },
      },
      async (req, reply) => reply.status(201).send(await register(d, callerOf(req), req.body)),
    );
    app.post(
      '/api/experience/sign-in/password',
      {
        ...PUBLIC,
        schema: { operationId: 'signInWithPassword', tags, security: [], summary: 'Sign in with email and password', body: z.strictObject({ email: Email, password: Password }), response: { 200: SignInAnswer, ...errorResponses(400, 401, 403) } },
      },
      async (req) => signInWithPassword(d, callerOf(req), req.body),
    );
    app.post(
      '/api/experience/sign-in/verification-code',
      {
        ...PUBLIC,
        schema: {
          operationId: 'signInWithVerificationCode',
          tags,
          security: [],
          summary: 'Sign in with a SignIn code; with no account and sign-up on, answers registration_required',
          body: z.strictObject({ email: Email, verificationId: VerificationId, code: Code }),
          response: { 200: z.union([SignInAnswer, z.object({ status: z.literal('registration_required'), registrationToken: z.string() })]), ...errorResponses(400, 403, 404, 429) },
        },
      },
      async (req) => signInWithCode(d, callerOf(req), req.body),
    );
    app.post(
      '/api/experience/forgot-password',
      {
        ...PUBLIC,
        schema: {
          operationId: 'resetPassword',
          tags,
          security: [],
          summary: 'Set a new password with a ForgotPassword code; ends every session',
          body: z.strictObject({ email: Email, verificationId: VerificationId, code: Code, newPassword: Password }),
          response: { 204: NoContent, ...errorResponses(400, 403, 404, 422, 429) },
        },
      },
      async (req, reply) => {
        await resetPassword(d, callerOf(req), req.body);
        return reply.status(204).send(null);
      },
    );
    app.post(
      '/api/experience/mfa/verification-codes',
      {
        ...PUBLIC,
        schema: { operationId: 'sendMfaVerificationCode', tags, security: [], summary: "Send a MfaVerification code to the account's email", body: z.strictObject({ mfaToken: OpaqueToken, locale: Locale.optional(), applicationId: ApplicationId.optional() }), response: { 202: z.object({ verificationId: z.string() }), ...errorResponses(400, 401, 422, 429, 502, 504) } },
      },
      async (req, reply) => reply.status(202).send(await sendMfaCode(d, await callerWithApplication(s, req, req.body.locale, req.body.applicationId), req.body)),
    );
    app.post(
      '/api/experience/mfa/verify',
      {
        ...PUBLIC,
        schema: { operationId: 'verifyMfa', tags, security: [], summary: 'Complete sign-in with the MFA code', body: z.strictObject({ mfaToken: OpaqueToken, verificationId: VerificationId, code: Code }), response: { 200: z.object({ tokens: TokensSchema }), ...errorResponses(400, 401, 404, 429) } },
      },
      async (req) => verifyMfa(d, callerOf(req), req.body),
    );
  };
