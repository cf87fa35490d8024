import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { CodeSent, HostedClient, Tokens } from '../client.js';
import { afterSignIn, applicationField } from '../flow.js';
import { useLang } from '../i18n.js';
import { HostedLink } from '../HostedLink.js';
import { withRedirect } from '../nav.js';
import { Alert, CodeForm, HostedShell, TextField, useAction } from '../ui.js';
import { useCaptcha } from '../captcha.js';

/** `/register`: email → a Register code → code, password and name → the account, signed in. */
export function RegisterPage({ client, redirect }: { client: HostedClient; redirect: string | null }) {
  const { t, lang } = useLang();
  // `email` carries an OpenID request's login_hint.
  const [email, setEmail] = useState(() => new URLSearchParams(window.location.search).get('email') ?? '');
  const [sent, setSent] = useState<CodeSent | null>(null);
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const formRef = useRef<HTMLFormElement>(null);
  const action = useAction(formRef);
  const captcha = useCaptcha(client);
  // With magic links on (SPEC §19), the page offers the sign-in page's "Email me a sign-in link".
  const [linksOn, setLinksOn] = useState(false);
  useEffect(() => {
    client
      .call<{ enabled: boolean }>('GET', '/api/experience/magic-links')
      .then((r) => setLinksOn(r.enabled === true))
      .catch(() => setLinksOn(false));
  }, [client]);
  const sendCode = async () =>
    client.call<CodeSent>('POST', '/api/experience/verification-codes', {
      email: email.trim(),
      intent: 'register',
      locale: lang,
      ...applicationField(),
      ...(await captcha.fields()),
    });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void action.run(async () => setSent(await sendCode()));
  };

  if (sent) {
    return (
      <HostedShell title={t('registerTitle')} captcha={captcha.element}>
        <CodeForm
          email={email.trim()}
          sent={sent}
          onResend={sendCode}
          submitLabel={t('createAccount')}
          onSubmit={async (code, verificationId) => {
            const body = {
              email: email.trim(),
              verificationId,
              code,
              ...(password ? { password } : {}),
              ...(name.trim() ? { name: name.trim() } : {}),
            };
            afterSignIn(
              client,
              await client.call<{ tokens: Tokens }>('POST', '/api/experience/register', body),
              email.trim(),
              redirect,
            );
          }}
        >
          {(fields) => (
            <>
              <TextField
                id="register-password"
                label={t('password')}
                type="password"
                autoComplete="new-password"
                value={password}
                onChange={setPassword}
                error={fields.password}
                help={t('passwordOptionalHelp')}
              />
              <TextField
                id="register-name"
                label={t('name')}
                autoComplete="name"
                value={name}
                onChange={setName}
                error={fields.name}
              />
            </>
          )}
        </CodeForm>
        {action.explained?.code === 'user.email_exists' ? null : (
          <p>
            <button type="button" className="link-button" onClick={() => setSent(null)}>
              {t('back')}
            </button>
          </p>
        )}
      </HostedShell>
    );
  }
  return (
    <HostedShell title={t('registerTitle')} captcha={captcha.element}>
      <p className="muted">{t('registerLead')}</p>
      <form ref={formRef} onSubmit={submit} noValidate>
        <TextField
          id="register-email"
          label={t('email')}
          type="email"
          autoComplete="email"
          value={email}
          onChange={setEmail}
          error={action.explained?.fields.email}
          autoFocus
        />
        <Alert explained={action.explained} alertRef={action.alertRef} />
        <button type="submit" className="primary" disabled={action.busy}>
          {action.busy ? t('working') : t('sendCode')}
        </button>
      </form>
      <p className="hosted-links">
        <span>
          {t('haveAccount')} <HostedLink to={withRedirect(client.path('sign-in'), redirect)}>{t('signIn')}</HostedLink>
        </span>
        {linksOn ? (
          <span>
            {t('preferLink')} <HostedLink to={linkPage(withRedirect(client.path('sign-in'), redirect), email.trim())}>{t('emailMeLink')}</HostedLink>
          </span>
        ) : null}
      </p>
    </HostedShell>
  );
}

/** The sign-in page opened on its "Email me a sign-in link" form. */
function linkPage(signIn: string, email: string): string {
  return signIn + (signIn.includes('?') ? '&' : '?') + 'method=link' + (email ? `&email=${encodeURIComponent(email)}` : '');
}
