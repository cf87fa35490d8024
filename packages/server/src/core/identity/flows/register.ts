import { randomUUID } from 'node:crypto';
import { normalizeEmail } from '../../email-address.js';
import { AppError } from '../../errors.js';
import { checkPasswordPolicy } from '../passwords.js';
import { PURPOSES, emitUserEvent, nowIso, publicUser, type Caller, type IdentityDeps, type PublicUser } from '../context.js';
import type { Tokens } from '../tokens.js';
import { verifiedOrThrow } from '../../codes/outcome.js';
import { recordSignIn } from '../notices.js';

export type RegisterInput =
  | { email: string; verificationId: string; code: string; password?: string | undefined; name?: string | undefined }
  | { registrationToken: string; password?: string | undefined; name?: string | undefined };

/**
 * `POST /api/experience/register` (SPEC §8): proves the address by a `Register` code or by
 * the registration token a code sign-in handed out, then creates the account. The password
 * is checked before the code or token is spent; whether the address is taken shows only
 * after that proof.
 */
export async function register(d: IdentityDeps, c: Caller, input: RegisterInput): Promise<{ user: PublicUser; tokens: Tokens }> {
  const x = await d.signInExperience.get(c.tenant.id);
  if (!x.signUp.enabled) throw new AppError('registration.disabled');
  if (x.signUp.password && input.password === undefined) {
    throw new AppError('request.invalid', 'A password is required to register.', { issues: [{ path: 'password', message: 'required' }] });
  }
  if (!x.signUp.password && input.password !== undefined) {
    throw new AppError('request.invalid', 'Registration takes no password here (code-only accounts).', { issues: [{ path: 'password', message: 'not accepted' }] });
  }
  if (input.password !== undefined) checkPasswordPolicy(input.password, x.passwordPolicy);

  let email: { address: string; key: string };
  if ('registrationToken' in input) {
    const g = await d.grants.find(c.tenant.id, 'registration', input.registrationToken);
    // A blocked address is refused before the token is spent (SPEC §19: sign-up is where the policy applies).
    if (g?.email) await d.emailPolicy?.assertAllowed(c.tenant.id, g.email, { withReason: false });
    if (!g?.email || !g.emailKey || !(await d.grants.consume(c.tenant.id, 'registration', input.registrationToken))) {
      throw new AppError('session.invalid_token', 'The registration token is invalid or has expired.');
    }
    email = { address: g.email, key: g.emailKey };
  } else {
    const addr = normalizeEmail(input.email);
    await d.emailPolicy?.assertAllowed(c.tenant.id, addr.address, { withReason: false });
    const v = verifiedOrThrow(await d.codes.verify({ tenant: c.tenant, verificationId: input.verificationId, email: addr, code: input.code, ...PURPOSES.register }));
    email = { address: v.email, key: v.recipientKey };
  }
  const now = nowIso(d);
  const user = {
    id: randomUUID(),
    tenantId: c.tenant.id,
    email: email.address,
    emailKey: email.key,
    emailVerified: true,
    name: input.name ?? null,
    passwordHash: input.password !== undefined ? await d.passwords.hash(input.password) : null,
    mfaEmail: false,
    createdAt: now,
    updatedAt: now,
  };
  if (!(await d.stores.users.create(user))) throw new AppError('user.email_exists');
  const tokens = await d.tokens.issue(user, input.password !== undefined ? ['otp', 'pwd'] : ['otp']);
  await emitUserEvent(d, 'user.created', user, { via: 'registration' });
  // The device an account is created on is its first, known device.
  await recordSignIn(d, c, user);
  return { user: publicUser(user), tokens };
}
