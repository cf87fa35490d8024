import { normalizeEmail } from '../../email-address.js';
import { AppError } from '../../errors.js';
import { PURPOSES, finishSignIn, methodDisabled, nowIso, type Caller, type IdentityDeps, type SignInResult } from '../context.js';
import { verifiedOrThrow, type Verified } from '../../codes/outcome.js';
import type { SignInExperience } from '../../sign-in-experience.js';
import { recordSignIn } from '../notices.js';
import type { User } from '../ports.js';

/** A sign-in that ends with tokens is recorded for the new-device notice (SPEC §19). */
async function signedIn(d: IdentityDeps, c: Caller, user: User, r: SignInResult): Promise<SignInResult> {
  if ('tokens' in r) await recordSignIn(d, c, user);
  return r;
}

/**
 * `POST /api/experience/sign-in/password`. A wrong password and an unknown address answer
 * the same 401, and both run one argon2 verification (against a dummy hash when there is
 * no account), so neither the body nor the time tells them apart.
 */
export async function signInWithPassword(d: IdentityDeps, c: Caller, input: { email: string; password: string }): Promise<SignInResult> {
  const x = await d.signInExperience.get(c.tenant.id);
  if (!x.signIn.methods.some((m) => m.identifier === 'email' && m.password)) throw methodDisabled('Sign-in by password');
  const addr = normalizeEmail(input.email);
  const user = await d.stores.users.findByEmailKey(c.tenant.id, addr.key);
  const ok = await d.codes.passwordAttempt(c.tenant.id, addr.key, () => d.passwords.verify(user?.passwordHash, input.password), c.ip);
  if (!user || !ok) throw new AppError('session.invalid_credentials');
  return signedIn(d, c, user, await finishSignIn(d, user, ['pwd']));
}

export type CodeSignInResult = SignInResult | { status: 'registration_required'; registrationToken: string };

/**
 * `POST /api/experience/sign-in/verification-code`: a `SignIn` code proves the address;
 * with no account and sign-up on, it hands out a registration token instead of tokens.
 */
export async function signInWithCode(d: IdentityDeps, c: Caller, input: { email: string; verificationId: string; code: string }): Promise<CodeSignInResult> {
  const x = await d.signInExperience.get(c.tenant.id);
  // The code of a magic-link email is its fallback, so it signs in wherever links are on too.
  if (!x.signIn.methods.some((m) => m.identifier === 'email' && (m.verificationCode || m.magicLink))) throw methodDisabled('Sign-in by email code');
  const v = verifiedOrThrow(await d.codes.verify({ tenant: c.tenant, verificationId: input.verificationId, email: normalizeEmail(input.email), code: input.code, ...PURPOSES.signIn }));
  return signInVerified(d, c, x, v);
}

/** After a code (or its magic link) proved the address: the account's sign-in, or registration when there is none. */
export async function signInVerified(d: IdentityDeps, c: Caller, x: SignInExperience, v: Verified): Promise<CodeSignInResult> {
  let user = await d.stores.users.findByEmailKey(c.tenant.id, v.recipientKey);
  if (!user) {
    if (!x.signUp.enabled) throw new AppError('user.not_found', 'No account uses this email address, and sign-up is turned off.');
    const g = await d.grants.issue(c.tenant.id, 'registration', { email: v.email, emailKey: v.recipientKey });
    return { status: 'registration_required', registrationToken: g.token };
  }
  if (!user.emailVerified) {
    // The code just proved the address.
    await d.stores.users.update(c.tenant.id, user.id, { emailVerified: true }, nowIso(d));
    user = { ...user, emailVerified: true };
  }
  return signedIn(d, c, user, await finishSignIn(d, user, ['otp']));
}
