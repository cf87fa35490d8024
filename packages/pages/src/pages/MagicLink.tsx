import { useRef, useState, type FormEvent } from 'react';
import type { HostedClient, MagicLinkAnswer } from '../client.js';
import { afterSignIn } from '../flow.js';
import { useLang } from '../i18n.js';
import { HostedLink } from '../HostedLink.js';
import { safeRedirect } from '../nav.js';
import { HostedShell, useAction } from '../ui.js';
import { FinishSignUp } from './SignIn.js';

/** The CSRF token the server put in this page (a meta tag), paired with its HttpOnly cookie. */
function csrfToken(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="postern-csrf"]')?.content ?? '';
}

/**
 * `/magic-link/<token>`: the page an emailed link opens (SPEC §19). Opening it spends nothing,
 * so a mail scanner that follows the link burns nothing; only the "Sign in" button does.
 */
export function MagicLinkPage({ client, token }: { client: HostedClient; token: string }) {
  const { t } = useLang();
  const [registrationToken, setRegistrationToken] = useState<string | null>(null);
  const [redirect, setRedirect] = useState<string | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const action = useAction(formRef);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void action.run(async () => {
      const answer = await client.call<MagicLinkAnswer>('POST', '/api/experience/magic-links/consume', { token }, { 'x-postern-csrf': csrfToken() });
      const to = answer.redirectTo;
      // A registered application redirect is another origin: leave once the tokens are kept.
      if (to && !to.startsWith('/') && 'tokens' in answer) {
        client.saveTokens(answer.tokens);
        window.location.assign(to);
        return;
      }
      const local = to ? safeRedirect(to) : null;
      setRedirect(local);
      setRegistrationToken(afterSignIn(client, answer, '', local));
    });
  };
  if (registrationToken) return <FinishSignUp client={client} email="" token={registrationToken} redirect={redirect} />;
  return (
    <HostedShell title={t('magicLinkTitle')}>
      <p className="muted">{t('magicLinkLead')}</p>
      <form ref={formRef} onSubmit={submit} noValidate>
        {action.explained ? (
          // Not the shared Alert: a link's refusals name the link, not a code field this page does not have.
          <div className="notice error" role="alert" ref={action.alertRef} tabIndex={-1} data-code={action.explained.code}>
            <p>
              {action.explained.code === 'verification_code.not_found'
                ? t('magicLinkUsed')
                : action.explained.code === 'verification_code.expired'
                  ? t('magicLinkExpired')
                  : action.explained.message}
            </p>
          </div>
        ) : null}
        <button type="submit" className="primary" disabled={action.busy}>
          {action.busy ? t('working') : t('signIn')}
        </button>
      </form>
      {action.explained ? (
        <p className="hosted-links">
          <HostedLink to={client.path('sign-in')}>{t('goToSignIn')}</HostedLink>
        </p>
      ) : null}
    </HostedShell>
  );
}
