import { AppError } from '../../errors.js';
import { PURPOSES, type Caller, type IdentityDeps } from '../context.js';
import type { Grant, User } from '../ports.js';
import { verifiedOrThrow } from '../../codes/outcome.js';

function withEmail(user: User): { address: string; key: string } {
  if (!user.email || !user.emailKey) throw new AppError('account.email_required', 'The account has no email address to send a code to.');
  return { address: user.email, key: user.emailKey };
}

/** `POST /api/my-account/identity-verifications`: a `UserPermissionValidation` code to the current email. */
export async function sendIdentityCode(d: IdentityDeps, c: Caller, user: User): Promise<{ verificationId: string }> {
  const r = await d.codes.issue({ tenant: c.tenant, email: withEmail(user), ...PURPOSES.identity, ip: c.ip, limitIp: true, locale: c.locale, acceptLanguage: c.acceptLanguage, data: { userId: user.id } });
  return { verificationId: r.verificationId };
}

export interface IdentityVerification {
  identityVerificationToken: string;
  expiresAt: string;
}

/** `POST /api/my-account/identity-verifications/verify`: a 10-minute token bound to this user. */
export async function verifyIdentityByCode(d: IdentityDeps, c: Caller, user: User, input: { verificationId: string; code: string }): Promise<IdentityVerification> {
  const v = verifiedOrThrow(await d.codes.verify({ tenant: c.tenant, verificationId: input.verificationId, email: withEmail(user), code: input.code, ...PURPOSES.identity }));
  if (v.data?.userId !== user.id) throw new AppError('verification_code.not_found', 'No pending verification matches; ask for a new code.');
  // The address the code went to: a code-won token confirms that address (SPEC §19, emailChange.confirmOld).
  const g = await d.grants.issue(c.tenant.id, 'identity', { userId: user.id, data: { method: 'code', emailKey: user.emailKey } });
  return { identityVerificationToken: g.token, expiresAt: g.expiresAt };
}

/** `POST /api/my-account/identity-verifications/password`. */
export async function verifyIdentityByPassword(d: IdentityDeps, c: Caller, user: User, input: { password: string }): Promise<IdentityVerification> {
  const ok = await d.codes.passwordAttempt(c.tenant.id, user.emailKey ?? `user:${user.id}`, () => d.passwords.verify(user.passwordHash, input.password));
  if (!ok) throw new AppError('session.invalid_credentials', 'The password is wrong.');
  const g = await d.grants.issue(c.tenant.id, 'identity', { userId: user.id, data: { method: 'password' } });
  return { identityVerificationToken: g.token, expiresAt: g.expiresAt };
}

/** Throws `403 account.identity_verification_required` unless the header holds a live token of this user; returns its grant. */
export async function requireIdentityVerification(d: IdentityDeps, c: Caller, user: User, header: string | undefined): Promise<Grant> {
  const g = header ? await d.grants.find(c.tenant.id, 'identity', header.trim()) : undefined;
  if (!g || g.userId !== user.id) throw new AppError('account.identity_verification_required', 'Verify your identity first and send the token in the Identity-Verification header.');
  return g;
}

/** Whether an identity verification was won with a code sent to the account's current address. */
export function provesCurrentAddress(g: Grant, user: User): boolean {
  return g.data?.method === 'code' && typeof g.data.emailKey === 'string' && g.data.emailKey === user.emailKey;
}
