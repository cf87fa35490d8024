import type { BetterAuthPlugin } from 'better-auth';
import { APIError, createAuthEndpoint } from 'better-auth/api';
import { setSessionCookie } from 'better-auth/cookies';
import { z } from 'zod';
import { callPostern, PosternError, TEMPLATE_FOR, type OtpType, type PosternConnection } from './postern.js';

export interface PosternOTPOptions extends PosternConnection {
  /** Refuse to create a user on first sign-in (default false: a verified address signs up). */
  disableSignUp?: boolean;
  /** Template type per purpose, over the defaults (`sign-in` → `SignIn`, …). */
  templateTypes?: Partial<Record<OtpType, string>>;
}

const STATUS: Record<
  number,
  | 'BAD_REQUEST'
  | 'NOT_FOUND'
  | 'TOO_MANY_REQUESTS'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'UNPROCESSABLE_ENTITY'
  | 'BAD_GATEWAY'
  | 'SERVICE_UNAVAILABLE'
> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  422: 'UNPROCESSABLE_ENTITY',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
};

/**
 * Postern's answer as better-auth's error: code errors (wrong, expired, locked, rate
 * limited) keep their status, code and sentence; anything else about the tenant (a wrong
 * admin key, a provider outage) is a 502 that does not show the key's problem to the user.
 */
function asApiError(err: unknown): never {
  if (err instanceof PosternError) {
    const headers =
      typeof err.details.retryAfter === 'number' ? { 'retry-after': String(err.details.retryAfter) } : undefined;
    if (err.code.startsWith('verification_code.')) {
      throw new APIError(
        STATUS[err.status] ?? 'BAD_REQUEST',
        {
          code: err.code.replace('verification_code.', 'POSTERN_OTP_').toUpperCase(),
          message: err.message,
          ...err.details,
        },
        headers,
      );
    }
    if (err.status === 429)
      throw new APIError('TOO_MANY_REQUESTS', { code: 'POSTERN_RATE_LIMITED', message: err.message }, headers);
    throw new APIError('BAD_GATEWAY', {
      code: 'POSTERN_UNAVAILABLE',
      message: 'The code could not be sent or checked; try again later.',
    });
  }
  throw err;
}

const Purpose = z.enum(['sign-in', 'email-verification', 'forget-password', 'change-email']);

/**
 * A better-auth plugin whose one-time codes Postern issues, sends and checks (SPEC §18,
 * the codes API): better-auth stores no code. `POST /postern-otp/send {email, type}`
 * answers `{verificationId, expiresAt}`; `POST /sign-in/postern-otp {email,
 * verificationId, otp}` checks the code with Postern and opens a session.
 */
export function posternOTP(opts: PosternOTPOptions) {
  const types = { ...TEMPLATE_FOR, ...opts.templateTypes };
  return {
    id: 'postern-otp',
    endpoints: {
      sendPosternOTP: createAuthEndpoint(
        '/postern-otp/send',
        { method: 'POST', body: z.object({ email: z.string().email().max(320), type: Purpose.default('sign-in') }) },
        async (ctx) => {
          const email = ctx.body.email.toLowerCase();
          const r = await callPostern<{ verificationId: string; expiresAt: string }>(
            opts,
            '/api/verification-codes',
            { email, templateType: types[ctx.body.type] ?? 'Generic' },
            { acceptLanguage: ctx.headers?.get('accept-language') ?? undefined },
          ).catch(asApiError);
          return ctx.json({ verificationId: r.verificationId, expiresAt: r.expiresAt });
        },
      ),
      signInPosternOTP: createAuthEndpoint(
        '/sign-in/postern-otp',
        {
          method: 'POST',
          body: z.object({
            email: z.string().email().max(320),
            verificationId: z.string().min(1).max(100),
            otp: z.string().min(1).max(32),
            name: z.string().max(200).optional(),
          }),
        },
        async (ctx) => {
          const email = ctx.body.email.toLowerCase();
          // The verification id names the code's template type; asking for SignIn refuses a
          // code that was sent for another purpose.
          await callPostern(opts, '/api/verification-codes/verify', {
            verificationId: ctx.body.verificationId,
            email,
            code: ctx.body.otp,
            templateType: types['sign-in'],
          }).catch(asApiError);
          const found = await ctx.context.internalAdapter.findUserByEmail(email);
          let user = found?.user;
          if (!user) {
            if (opts.disableSignUp)
              throw new APIError('FORBIDDEN', { code: 'SIGN_UP_DISABLED', message: 'Sign-up is turned off.' });
            user = await ctx.context.internalAdapter.createUser(
              { email, emailVerified: true, name: ctx.body.name ?? '' },
              { method: 'email-otp' },
            );
          } else if (!user.emailVerified) {
            user = (await ctx.context.internalAdapter.updateUser(user.id, { emailVerified: true })) ?? user;
          }
          const session = await ctx.context.internalAdapter.createSession(user.id);
          await setSessionCookie(ctx, { session, user });
          return ctx.json({
            token: session.token,
            user: { id: user.id, email: user.email, name: user.name, emailVerified: user.emailVerified },
          });
        },
      ),
    },
  } satisfies BetterAuthPlugin;
}
