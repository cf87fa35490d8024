import { normalizeEmail } from '../../email-address.js';
import { AppError } from '../../errors.js';
import { checkPasswordPolicy } from '../passwords.js';
import { PURPOSES, emitUserEvent, methodDisabled, nowIso, type Caller, type IdentityDeps } from '../context.js';
import { verifiedOrThrow } from '../../codes/outcome.js';
import { changeWithNotice, noticeRequest } from '../notices.js';

/**
 * `POST /api/experience/forgot-password` (SPEC §8): the policy is checked before the code
 * is spent; afterwards every session, outstanding code and grant of the account dies.
 */
export async function resetPassword(d: IdentityDeps, c: Caller, input: { email: string; verificationId: string; code: string; newPassword: string }): Promise<void> {
  const x = await d.signInExperience.get(c.tenant.id);
  if (!x.forgotPassword.email) throw methodDisabled('Password reset by email');
  checkPasswordPolicy(input.newPassword, x.passwordPolicy, 'newPassword');
  const v = verifiedOrThrow(await d.codes.verify({ tenant: c.tenant, verificationId: input.verificationId, email: normalizeEmail(input.email), code: input.code, ...PURPOSES.forgotPassword }));
  const user = await d.stores.users.findByEmailKey(c.tenant.id, v.recipientKey);
  if (!user) throw new AppError('user.not_found');
  const passwordHash = await d.passwords.hash(input.newPassword);
  const notice = user.email ? await noticeRequest(d, c, { type: 'PasswordChanged', to: user.email, user }) : undefined;
  // Resetting by email also proves the address.
  await changeWithNotice(d, notice, async (stores) => {
    await stores.users.update(c.tenant.id, user.id, { passwordHash, emailVerified: true }, nowIso(d));
  });
  await d.tokens.revokeUser(c.tenant.id, user.id);
  await d.grants.revokeUser(c.tenant.id, user.id);
  await d.codes.revokeAll(c.tenant.id, v.recipientKey);
  await emitUserEvent(d, 'user.password_changed', user, { via: 'reset' });
}
