import { normalizeEmail } from '../../email-address.js';
import type { IssueResult } from '../../codes/service.js';
import { AppError } from '../../errors.js';
import { PURPOSES, callerVariables, methodDisabled, type Caller, type IdentityDeps } from '../context.js';
import { noticeUnknownRecipient } from '../notices.js';

export type Intent = 'sign-in' | 'register' | 'forgot-password';

const PURPOSE = { 'sign-in': PURPOSES.signIn, register: PURPOSES.register, 'forgot-password': PURPOSES.forgotPassword } as const;

/**
 * `POST /api/experience/verification-codes` (SPEC §8). The answer has the same status,
 * shape and timing whether or not an account exists:
 * - `register`: always sent now (whether the address is taken shows only after the code).
 * - `sign-in`: with sign-up on, sent now to anyone (an unknown address is led to
 *   registration); with sign-up off, known addresses are sent in the background and
 *   unknown ones get nothing, so neither waits on the connector.
 * - `forgot-password`: known addresses in the background, unknown ones nothing.
 * With `notifyUnknownRecipients` on, "nothing" becomes an `UnknownRecipient` notice.
 */
export async function sendExperienceCode(
  d: IdentityDeps,
  c: Caller,
  input: { email: string; intent: Intent },
  /** A magic link rides with the code (core/identity/flows/magic-link.ts): the method it needs, and what the code keeps. */
  link?: { url: (token: string) => string; data: Record<string, unknown> },
): Promise<Pick<IssueResult, 'verificationId' | 'expiresAt' | 'resendAfter'>> {
  const addr = normalizeEmail(input.email);
  const x = await d.signInExperience.get(c.tenant.id);
  const method = x.signIn.methods.find((m) => m.identifier === 'email');
  if (input.intent === 'register' && !x.signUp.enabled) throw new AppError('registration.disabled');
  if (link && !method?.magicLink) throw methodDisabled('Sign-in by email link');
  if (!link && input.intent === 'sign-in' && !method?.verificationCode) throw methodDisabled('Sign-in by email code');
  if (input.intent === 'forgot-password' && !x.forgotPassword.email) throw methodDisabled('Password reset by email');

  // Every intent looks the account up, so that known and unknown addresses cost the same.
  const user = await d.stores.users.findByEmailKey(c.tenant.id, addr.key);
  let delivery: 'now' | 'background' | 'none' = 'now';
  if (input.intent === 'forgot-password' || (input.intent === 'sign-in' && !x.signUp.enabled)) delivery = user?.email ? 'background' : 'none';
  const purpose = PURPOSE[input.intent];
  const r = await d.codes.issue({
    tenant: c.tenant,
    // Mail goes to the stored address, not to the spelling this request used.
    email: user?.email ? { address: user.email, key: addr.key } : addr,
    ...purpose,
    ip: c.ip,
    limitIp: true,
    locale: c.locale,
    acceptLanguage: c.acceptLanguage,
    variables: callerVariables(c),
    delivery,
    ...(link ? { magicLink: link.url, data: link.data } : {}),
  });
  // Unknown recipients (SPEC §19): when the tenant asks for it, the address hears that someone
  // tried, instead of nothing: once a day at most. After the answer is settled, so that it
  // changes neither the answer nor its timing; the code issue above already counted this
  // send against the limits.
  if (delivery === 'none' && !user && x.notifyUnknownRecipients) {
    void noticeUnknownRecipient(d, c, addr);
  }
  return { verificationId: r.verificationId, expiresAt: r.expiresAt, resendAfter: r.resendAfter };
}
