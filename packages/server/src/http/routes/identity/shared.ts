import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../../core/errors.js';
import type { Caller } from '../../../core/identity/context.js';
import type { User } from '../../../core/identity/ports.js';
import type { AccessClaims } from '../../../core/identity/tokens.js';
import { MAX_PASSWORD_LENGTH } from '../../../core/identity/passwords.js';
import type { Services } from '../../context.js';
import { deviceCookie } from '../../device-cookie.js';

export const Email = z.string().min(1).max(320);
export { Locale } from '../../schemas.js';
export const VerificationId = z.string().min(1).max(100);
export const Code = z.string().min(1).max(32);
/** The policy decides the real bounds (422); this only keeps absurd input away from argon2. */
export const Password = z.string().min(1).max(MAX_PASSWORD_LENGTH * 4);
export const OpaqueToken = z.string().min(1).max(500);

export const TokensSchema = z.object({ accessToken: z.string(), refreshToken: z.string(), expiresIn: z.number().int(), tokenType: z.literal('Bearer') }).meta({ id: 'Tokens' });
export const UserSchema = z
  .object({
    id: z.string(),
    email: z.string().nullable(),
    emailVerified: z.boolean(),
    name: z.string().nullable(),
    hasPassword: z.boolean(),
    mfa: z.object({ email: z.boolean() }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'User' });
export const MfaChallenge = z.object({ mfaRequired: z.literal(true), mfaToken: z.string(), factors: z.array(z.literal('email')) });

/** End-user routes need no admin key and say so in the OpenAPI document. */
export const PUBLIC = { config: { auth: 'public' as const } };

export function callerOf(req: FastifyRequest, locale?: string): Caller {
  const al = req.headers['accept-language'];
  const ua = req.headers['user-agent'];
  return { tenant: req.tenant, ip: req.ip, locale, acceptLanguage: typeof al === 'string' ? al : undefined, userAgent: typeof ua === 'string' ? ua : undefined, device: deviceCookie(req) };
}

/** `applicationId` in an end-user request: the application (OIDC client) the user came from. */
export const ApplicationId = z
  .string()
  .min(1)
  .max(100)
  .meta({
    description:
      "The application (its client id) the user came from, e.g. the hosted pages' `client_id` in an OpenID sign-in: its name and logo fill the email's `application` variable. An id the tenant does not know is ignored",
  });

/** callerOf, plus the application the request names (unknown ids are ignored: the email keeps the tenant's branding). */
export async function callerWithApplication(
  s: Services,
  req: FastifyRequest,
  locale: string | undefined,
  applicationId: string | undefined,
): Promise<Caller> {
  const c = callerOf(req, locale);
  const a = applicationId ? await s.oidc.applications.find(req.tenantId, applicationId) : undefined;
  if (a) c.application = { id: a.id, name: a.name, ...(a.logoUrl ? { logoUrl: a.logoUrl } : {}) };
  return c;
}

/**
 * An access token the tenant's OpenID Provider issued to an application (opaque, stored by
 * oidc-provider): the account API accepts it too (SPEC §17). Expired or revoked ones read as absent.
 */
async function applicationAccessToken(s: Services, tenantId: string, token: string): Promise<AccessClaims | null> {
  if (token.length > 200 || !/^[\w-]+$/.test(token)) return null;
  const p = await s.oidc.store.find(tenantId, 'AccessToken', token, s.clock.now());
  if (!p || p.kind !== 'AccessToken' || typeof p.accountId !== 'string') return null;
  if (typeof p.exp === 'number' && p.exp * 1000 <= s.clock.now().getTime()) return null;
  const user = await s.identity.stores.users.get(tenantId, p.accountId);
  if (!user) return null;
  return {
    sub: user.id,
    tenantId,
    email: user.email,
    emailVerified: user.emailVerified,
    amr: [],
    // No refresh-token family of ours: a password change signs out every one of them.
    sid: `oidc:${typeof p.grantId === 'string' ? p.grantId : ''}`,
  };
}

/** The account behind `Authorization: Bearer <accessToken>`, or `401 account.unauthorized`. */
export async function bearerAccount(s: Services, req: FastifyRequest): Promise<{ user: User; claims: AccessClaims }> {
  const header = req.headers.authorization;
  const m = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  const claims = m
    ? ((await s.identity.tokens.verifyAccessToken(req.tenantId, m[1]!)) ??
      (await applicationAccessToken(s, req.tenantId, m[1]!)))
    : null;
  const user = claims ? await s.identity.stores.users.get(req.tenantId, claims.sub) : undefined;
  if (!claims || !user) throw new AppError('account.unauthorized');
  return { user, claims };
}

export function identityHeader(req: FastifyRequest): string | undefined {
  const h = req.headers['identity-verification'];
  return typeof h === 'string' ? h : undefined;
}
