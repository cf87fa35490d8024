import { AppError } from '../../errors.js';
import { verificationError } from '../../codes/outcome.js';
import { PURPOSES, methodDisabled, type Caller, type IdentityDeps } from '../context.js';
import { sendExperienceCode } from './send-code.js';
import { signInVerified, type CodeSignInResult } from './sign-in.js';

/** Where a link may send the browser after sign-in, besides a same-origin path. */
export type RedirectCheck = (tenantId: string, uri: string) => Promise<boolean>;

const tenantPrefix = (tenantId: string) => (tenantId === 'default' ? '' : `/t/${encodeURIComponent(tenantId)}`);

/** The link a magic-link email carries: `POSTERN_PUBLIC_URL[/t/T]/magic-link/<token>` (SPEC §19). */
export const magicLinkUrl = (publicUrl: string, tenantId: string, token: string) => `${publicUrl}${tenantPrefix(tenantId)}/magic-link/${token}`;

/**
 * `redirectTo` is a same-origin path (`/app`, never `//host`), a URL on POSTERN_PUBLIC_URL's
 * origin, or exactly a redirect URI some application of the tenant registered; anything
 * else is `400 request.invalid` before anything is sent.
 */
export async function checkRedirect(publicUrl: string, tenantId: string, redirectTo: string, registered: RedirectCheck): Promise<string> {
  const refuse = () => new AppError('request.invalid', 'redirectTo must be a path on this server (such as /account) or a redirect URI registered by one of your applications.', { issues: [{ path: 'redirectTo', message: 'not a same-origin path or a registered redirect URI' }] });
  if (/[\s\\]/.test(redirectTo)) throw refuse();
  if (redirectTo.startsWith('/')) {
    if (redirectTo.startsWith('//')) throw refuse();
    return redirectTo;
  }
  let url: URL;
  try {
    url = new URL(redirectTo);
  } catch {
    throw refuse();
  }
  if (url.origin === new URL(publicUrl).origin && (url.protocol === 'https:' || url.protocol === 'http:')) return redirectTo;
  if (await registered(tenantId, redirectTo)) return redirectTo;
  throw refuse();
}

/**
 * `POST /api/experience/magic-links` (SPEC §19): a SignIn or Register code whose email also
 * carries a link to the confirmation page. Same status, shape and timing as the code route
 * for known and unknown addresses (it is the same send, see sendExperienceCode).
 */
export async function sendMagicLink(
  d: IdentityDeps,
  c: Caller,
  input: { email: string; intent: 'sign-in' | 'register'; redirectTo?: string | undefined },
  registered: RedirectCheck,
) {
  const redirectTo = input.redirectTo === undefined ? undefined : await checkRedirect(d.publicUrl, c.tenant.id, input.redirectTo, registered);
  return sendExperienceCode(d, c, input, {
    url: (token) => magicLinkUrl(d.publicUrl, c.tenant.id, token),
    data: redirectTo === undefined ? {} : { redirectTo },
  });
}

/**
 * `POST /api/experience/magic-links/consume`: spends the link's code and answers like a code
 * sign-in, plus the `redirectTo` the link was asked with. The caller (the HTTP edge) has
 * already checked that the request came from the confirmation page.
 */
export async function consumeMagicLink(d: IdentityDeps, c: Caller, token: string): Promise<CodeSignInResult & { redirectTo?: string }> {
  const x = await d.signInExperience.get(c.tenant.id);
  if (!x.signIn.methods.some((m) => m.identifier === 'email' && m.magicLink)) throw methodDisabled('Sign-in by email link');
  const o = await d.codes.consumeLink(c.tenant, token, [PURPOSES.signIn, PURPOSES.register]);
  if (!o.ok) throw verificationError(o);
  const answer = await signInVerified(d, c, x, o);
  const redirectTo = typeof o.data?.redirectTo === 'string' ? o.data.redirectTo : undefined;
  return redirectTo === undefined ? answer : { ...answer, redirectTo };
}

/** Whether the hosted pages should offer "Email me a link". */
export async function magicLinksEnabled(d: IdentityDeps, c: Caller): Promise<boolean> {
  const x = await d.signInExperience.get(c.tenant.id);
  return x.signIn.methods.some((m) => m.identifier === 'email' && m.magicLink === true);
}
