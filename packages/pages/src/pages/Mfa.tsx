import { useState } from 'react';
import type { CodeSent, HostedClient, Tokens } from '../client.js';
import { afterSignIn, applicationField, mfaChallenge } from '../flow.js';
import { useLang } from '../i18n.js';
import { HostedLink } from '../HostedLink.js';
import { withRedirect } from '../nav.js';
import { Alert, CodeForm, HostedShell, useAction } from '../ui.js';

/** `/mfa`: the second step after sign-in, with the challenge that sign-in left in this tab. */
export function MfaPage({ client, redirect }: { client: HostedClient; redirect: string | null }) {
  const { t, lang } = useLang();
  const [challenge] = useState(() => mfaChallenge.get(client));
  const [sent, setSent] = useState<CodeSent | null>(null);
  const action = useAction();
  if (!challenge) {
    return (
      <HostedShell title={t('mfaTitle')}>
        <p>{t('mfaMissing')}</p>
        <HostedLink to={withRedirect(client.path('sign-in'), redirect)}>{t('goToSignIn')}</HostedLink>
      </HostedShell>
    );
  }
  // The MFA send answers no resendAfter; a too-early resend is a 429 whose Retry-After the form shows.
  const sendCode = () => client.call<CodeSent>('POST', '/api/experience/mfa/verification-codes', { mfaToken: challenge.mfaToken, locale: lang, ...applicationField() });
  return (
    <HostedShell title={t('mfaTitle')}>
      <p className="muted">{t('mfaLead')}</p>
      {sent ? (
        <CodeForm
          email={challenge.email}
          sent={sent}
          onResend={sendCode}
          submitLabel={t('continue')}
          idPrefix="mfa-code"
          onSubmit={async (code, verificationId) => {
            const r = await client.call<{ tokens: Tokens }>('POST', '/api/experience/mfa/verify', { mfaToken: challenge.mfaToken, verificationId, code });
            afterSignIn(client, r, challenge.email, redirect);
          }}
        />
      ) : (
        <>
          <Alert explained={action.explained} alertRef={action.alertRef} />
          <button type="button" className="primary" autoFocus disabled={action.busy} onClick={() => void action.run(async () => setSent(await sendCode()))}>
            {action.busy ? t('working') : t('mfaSend')}
          </button>
          {action.explained?.code === 'session.invalid_token' ? (
            <p>
              <HostedLink to={withRedirect(client.path('sign-in'), redirect)}>{t('goToSignIn')}</HostedLink>
            </p>
          ) : null}
        </>
      )}
    </HostedShell>
  );
}
