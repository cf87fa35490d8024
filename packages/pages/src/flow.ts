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

/**
 * Tokens: stored, then on to `redirect` or the account page. An MFA challenge: on to /mfa.
 * Returns the registration token when the address has no account yet.
 */
export function afterSignIn(c: HostedClient, answer: SignInAnswer, email: string, redirect: string | null): string | null {
  if ('tokens' in answer) {
    c.saveTokens(answer.tokens);
    mfaChallenge.clear(c);
    go(redirect ?? c.path('account'));
    return null;
  }
  if ('mfaRequired' in answer) {
    mfaChallenge.set(c, { mfaToken: answer.mfaToken, email });
    go(withRedirect(c.path('mfa'), redirect));
    return null;
  }
  return answer.registrationToken;
}
