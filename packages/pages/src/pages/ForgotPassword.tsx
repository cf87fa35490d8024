import { useRef, useState, type FormEvent } from 'react';
import type { CodeSent, HostedClient } from '../client.js';
import { applicationField } from '../flow.js';
import { useLang } from '../i18n.js';
import { HostedLink } from '../HostedLink.js';
import { go, withRedirect } from '../nav.js';
import { Alert, CodeForm, HostedShell, TextField, useAction } from '../ui.js';
import { useCaptcha } from '../captcha.js';

/** `/forgot-password`: email → a ForgotPassword code (same answer whether the account exists) → code and new password. */
export function ForgotPasswordPage({ client, redirect }: { client: HostedClient; redirect: string | null }) {
  const { t, lang } = useLang();
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState<CodeSent | null>(null);
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
        <div className="notice info" role="status">
          {t('forgotSent', { email: email.trim() })}
        </div>
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
