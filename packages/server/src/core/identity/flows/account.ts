import { normalizeEmail } from '../../email-address.js';
import { AppError } from '../../errors.js';
import { checkPasswordPolicy } from '../passwords.js';
import { PURPOSES, emitUserEvent, nowIso, type Caller, type IdentityDeps } from '../context.js';
import type { User } from '../ports.js';
import { provesCurrentAddress, requireIdentityVerification } from './identity-verification.js';
import { changeWithNotice, maskEmail, noticeRequest } from '../notices.js';
import { verifiedOrThrow } from '../../codes/outcome.js';

/** `GET /api/my-account` (SPEC §9). */
export const accountView = (u: User) => ({ id: u.id, email: u.email, emailVerified: u.emailVerified, name: u.name, mfa: { email: u.mfaEmail } });

/** `POST /api/my-account/email-verifications`: a `BindNewIdentifier` code to the new address. */
export async function sendBindEmailCode(d: IdentityDeps, c: Caller, user: User, input: { email: string }): Promise<{ verificationId: string }> {
  const addr = normalizeEmail(input.email);
  const r = await d.codes.issue({ tenant: c.tenant, email: addr, ...PURPOSES.bindEmail, ip: c.ip, limitIp: true, locale: c.locale, acceptLanguage: c.acceptLanguage, data: { userId: user.id } });
  return { verificationId: r.verificationId };
}

/**
 * `PUT /api/my-account/primary-email`: links or changes the email. An account that already
 * has an email or a password must verify its identity first; that is checked before the
 * code is spent.
 */
export async function changePrimaryEmail(d: IdentityDeps, c: Caller, user: User, input: { email: string; verificationId: string; code: string }, identityHeader: string | undefined): Promise<User> {
  if (user.email || user.passwordHash) {
    const proof = await requireIdentityVerification(d, c, user, identityHeader);
    // Double confirmation (SPEC §19): the current address must agree too, by a code sent to it.
    const x = await d.signInExperience.get(c.tenant.id);
    if (x.emailChange.confirmOld && user.email && !provesCurrentAddress(proof, user)) {
      throw new AppError(
        'account.identity_verification_required',
        'Changing the email address needs a code sent to the current address: get the Identity-Verification token with POST /api/my-account/identity-verifications (the password does not suffice here).',
        { method: 'code', reason: 'confirm_current_email' },
      );
    }
  }
  const v = verifiedOrThrow(await d.codes.verify({ tenant: c.tenant, verificationId: input.verificationId, email: normalizeEmail(input.email), code: input.code, ...PURPOSES.bindEmail }));
  if (v.data?.userId !== user.id) throw new AppError('verification_code.not_found', 'No pending verification matches; ask for a new code.');
  const changed = user.email !== null && user.emailKey !== v.recipientKey;
  // The old address hears of the change, with the new one masked (SPEC §19).
  const notice = changed && user.email ? await noticeRequest(d, c, { type: 'EmailChanged', to: user.email, user, activity: { newEmail: maskEmail(v.email) } }) : undefined;
  await changeWithNotice(d, notice, async (stores) => {
    const r = await stores.users.update(c.tenant.id, user.id, { email: v.email, emailKey: v.recipientKey, emailVerified: true }, nowIso(d));
    // Nothing to report, so the notice written with it must not stay either.
    if (r === 'email_exists') throw new AppError('user.email_exists');
    if (!r) throw new AppError('account.unauthorized');
  });
  const after = (await d.stores.users.get(c.tenant.id, user.id))!;
  if (changed) await emitUserEvent(d, 'user.email_changed', after, { previousEmail: user.email, via: 'account' });
  return after;
}

/** `POST /api/my-account/password`: every other session of the account ends. */
export async function changePassword(d: IdentityDeps, c: Caller, user: User, sid: string, input: { newPassword: string }, identityHeader: string | undefined): Promise<void> {
  await requireIdentityVerification(d, c, user, identityHeader);
  const x = await d.signInExperience.get(c.tenant.id);
  checkPasswordPolicy(input.newPassword, x.passwordPolicy, 'newPassword');
  const passwordHash = await d.passwords.hash(input.newPassword);
  const notice = user.email ? await noticeRequest(d, c, { type: 'PasswordChanged', to: user.email, user }) : undefined;
  await changeWithNotice(d, notice, async (stores) => {
    await stores.users.update(c.tenant.id, user.id, { passwordHash }, nowIso(d));
  });
  await d.tokens.revokeUser(c.tenant.id, user.id, sid);
  await emitUserEvent(d, 'user.password_changed', user, { via: 'account' });
}

/** The MfaChanged notice of an enrolment (`on`) or a removal, written with the change. */
async function setEmailMfa(d: IdentityDeps, c: Caller, user: User, on: boolean): Promise<void> {
  const notice = user.email && user.mfaEmail !== on ? await noticeRequest(d, c, { type: 'MfaChanged', to: user.email, user, activity: on ? { mfaEnabled: 'true' } : {} }) : undefined;
  await changeWithNotice(d, notice, async (stores) => {
    await stores.users.update(c.tenant.id, user.id, { mfaEmail: on }, nowIso(d));
  });
}

/** `POST /api/my-account/mfa/email`: a `BindMfa` code to the account's email. */
export async function sendBindMfaCode(d: IdentityDeps, c: Caller, user: User): Promise<{ verificationId: string }> {
  if (!user.email || !user.emailKey) throw new AppError('account.email_required', 'Link an email address before turning on email MFA.');
  const x = await d.signInExperience.get(c.tenant.id);
  if (x.mfa.policy === 'off' || !x.mfa.factors.includes('email')) throw new AppError('experience.method_disabled', 'Email MFA is turned off in the sign-in experience.');
  const r = await d.codes.issue({ tenant: c.tenant, email: { address: user.email, key: user.emailKey }, ...PURPOSES.bindMfa, ip: c.ip, limitIp: true, locale: c.locale, acceptLanguage: c.acceptLanguage, data: { userId: user.id } });
  return { verificationId: r.verificationId };
}

/** `POST /api/my-account/mfa/email/verify`: enrols email MFA. */
export async function enrolEmailMfa(d: IdentityDeps, c: Caller, user: User, input: { verificationId: string; code: string }): Promise<void> {
  if (!user.email || !user.emailKey) throw new AppError('account.email_required');
  const v = verifiedOrThrow(await d.codes.verify({ tenant: c.tenant, verificationId: input.verificationId, email: { address: user.email, key: user.emailKey }, code: input.code, ...PURPOSES.bindMfa }));
  if (v.data?.userId !== user.id) throw new AppError('verification_code.not_found', 'No pending verification matches; ask for a new code.');
  await setEmailMfa(d, c, user, true);
}

/** `DELETE /api/my-account/mfa/email`. */
export async function removeEmailMfa(d: IdentityDeps, c: Caller, user: User, identityHeader: string | undefined): Promise<void> {
  await requireIdentityVerification(d, c, user, identityHeader);
  await setEmailMfa(d, c, user, false);
}

/** `DELETE /api/my-account`: the account with its sessions, grants and memberships. */
export async function deleteAccount(d: IdentityDeps, c: Caller, user: User, identityHeader: string | undefined): Promise<void> {
  await requireIdentityVerification(d, c, user, identityHeader);
  await d.stores.users.delete(c.tenant.id, user.id);
  if (user.emailKey) await d.codes.revokeAll(c.tenant.id, user.emailKey);
}
