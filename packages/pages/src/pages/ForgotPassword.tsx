import { useRef, useState, type FormEvent } from 'react';
import { withAddresses } from '../Address.js';
import type { CodeSent, HostedClient } from '../client.js';
import { applicationField } from '../flow.js';
import { useLang } from '../i18n.js';
import { HostedLink } from '../HostedLink.js';
import { go, withRedirect } from '../nav.js';
import { Alert, CodeForm, HostedShell, TextField, useAction } from '../ui.js';
import { useCaptcha } from '../captcha.js';

/**
 * `/forgot-password`: email → a ForgotPassword code (same answer whether the account exists) → code and new password.
 * `?email=…&verificationId=…` (the link of a reset an admin sent) opens at the code step.
 */
export function ForgotPasswordPage({ client, redirect }: { client: HostedClient; redirect: string | null }) {
  const { t, lang } = useLang();
  // A reset an admin sent links here with the address and the code's verification id: the
  // page opens at the code step (the code itself is only in the email).
  const [linked] = useState(() => {
    const q = new URLSearchParams(window.location.search);
    const id = q.get('verificationId');
    const to = q.get('email');
    return id && to ? { email: to, sent: { verificationId: id } } : null;
  });
  const [email, setEmail] = useState(linked?.email ?? '');
  const [sent, setSent] = useState<CodeSent | null>(linked?.sent ?? null);
  const [newPassword, setNewPassword] = useState('');
  const formRef = useRef<HTMLFormElement>(null);
  const action = useAction(formRef);
  const captcha = useCaptcha(client);
  const sendCode = async () =>
    client.call<CodeSent>('POST', '/api/experience/verification-codes', { email: email.trim(), intent: 'forgot-password', locale: lang, ...applicationField(), ...(await captcha.fields()) });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void action.run(async () => setSent(await sendCode()));
  };
  if (sent) {
    return (
      <HostedShell title={t('forgotTitle')} captcha={captcha.element}>
        {sent === linked?.sent ? null : (
          <div className="notice info" role="status">
            {withAddresses(t('forgotSent', { email: email.trim() }), email.trim())}
          </div>
        )}
        <CodeForm
          email={email.trim()}
          sent={sent}
          onResend={sendCode}
          submitLabel={t('setPassword')}
          onSubmit={async (code, verificationId) => {
            await client.call('POST', '/api/experience/forgot-password', { email: email.trim(), verificationId, code, newPassword });
            go(withRedirect(client.path('sign-in'), redirect) + (redirect ? '&' : '?') + 'changed=1');
          }}
        >
          {(fields) => <TextField id="forgot-new-password" label={t('newPassword')} type="password" autoComplete="new-password" value={newPassword} onChange={setNewPassword} error={fields.newPassword} />}
        </CodeForm>
      </HostedShell>
    );
  }
  return (
    <HostedShell title={t('forgotTitle')} captcha={captcha.element}>
      <p className="muted">{t('forgotLead')}</p>
      <form ref={formRef} onSubmit={submit} noValidate>
        <TextField id="forgot-email" label={t('email')} type="email" autoComplete="email" value={email} onChange={setEmail} error={action.explained?.fields.email} autoFocus />
        <Alert explained={action.explained} alertRef={action.alertRef} />
        <button type="submit" className="primary" disabled={action.busy}>
          {action.busy ? t('working') : t('sendCode')}
        </button>
      </form>
      <p className="hosted-links">
        <HostedLink to={withRedirect(client.path('sign-in'), redirect)}>{t('goToSignIn')}</HostedLink>
      </p>
    </HostedShell>
  );
}
