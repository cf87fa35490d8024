/** What happens after a successful sign-in answer, shared by sign-in, MFA and registration. */
import type { HostedClient, SignInAnswer } from './client.js';
import { go, withRedirect } from './nav.js';

const mfaKey = (c: HostedClient) => `postern.hosted.${c.tenantId}.mfa`;

/** The MFA challenge handed from sign-in to the /mfa page (this tab only). */
export const mfaChallenge = {
  get(c: HostedClient): { mfaToken: string; email: string } | null {
    try {
      const raw = window.sessionStorage.getItem(mfaKey(c));
      return raw ? (JSON.parse(raw) as { mfaToken: string; email: string }) : null;
    } catch {
      return null;
    }
  },
  set(c: HostedClient, v: { mfaToken: string; email: string }) {
    window.sessionStorage.setItem(mfaKey(c), JSON.stringify(v));
  },
  clear(c: HostedClient) {
    window.sessionStorage.removeItem(mfaKey(c));
  },
};

/** The interaction endpoint an OpenID sign-in hands the page (`/oidc/interaction/<uid>/login`). */
const OIDC_FINISH = /^(\/t\/[^/]+)?\/oidc\/interaction\/[\w-]+\/login$/;

const APP_KEY = 'postern.hosted.applicationId';

/**
 * `{applicationId}` for a code request made during an OpenID sign-in, so that the email names
 * the application (SPEC §17): the provider hands the page `client_id`; it is kept for this tab
 * while the `redirect` still leads back to an interaction (sign-in → register → MFA).
 */
export function applicationField(): { applicationId?: string } {
  try {
    const q = new URLSearchParams(window.location.search);
    const id = q.get('client_id');
    if (id) {
      window.sessionStorage.setItem(APP_KEY, id);
      return { applicationId: id };
    }
    const redirect = q.get('redirect');
    const kept = window.sessionStorage.getItem(APP_KEY);
    if (redirect && OIDC_FINISH.test(redirect) && kept) return { applicationId: kept };
  } catch {
    // no storage: the email keeps the tenant's branding
  }
  return {};
}

/**
 * An application asked for this sign-in (OpenID Connect): the provider is told who signed in,
 * and the browser goes where it answers (on to the application's redirect URI).
 */
async function finishOidc(c: HostedClient, finish: string, accessToken: string): Promise<void> {
  try {
    const res = await fetch(finish, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ accessToken }),
    });
    const body = (await res.json()) as { redirectTo?: string };
    if (res.ok && typeof body.redirectTo === 'string') {
      window.location.assign(body.redirectTo);
      return;
    }
  } catch {
    // fall through: the request expired or belongs to another browser
  }
  go(c.path('account'));
}

/**
 * Tokens: stored, then on to `redirect` or the account page. An MFA challenge: on to /mfa.
 * Returns the registration token when the address has no account yet.
 */
export function afterSignIn(
  c: HostedClient,
  answer: SignInAnswer,
  email: string,
  redirect: string | null,
): string | null {
  if ('tokens' in answer) {
    c.saveTokens(answer.tokens);
    mfaChallenge.clear(c);
    if (redirect && OIDC_FINISH.test(redirect)) void finishOidc(c, redirect, answer.tokens.accessToken);
    else go(redirect ?? c.path('account'));
    return null;
  }
  if ('mfaRequired' in answer) {
    mfaChallenge.set(c, { mfaToken: answer.mfaToken, email });
    go(withRedirect(c.path('mfa'), redirect));
    return null;
  }
  return answer.registrationToken;
}
