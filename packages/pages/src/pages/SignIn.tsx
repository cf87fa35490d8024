import { useEffect, useRef, useState, type FormEvent } from 'react';
import { withAddresses } from '../Address.js';
import type { CodeSent, HostedClient, SignInAnswer, Tokens } from '../client.js';
import { afterSignIn, applicationField } from '../flow.js';
import { useLang } from '../i18n.js';
import { HostedLink } from '../HostedLink.js';
import { withRedirect } from '../nav.js';
import { Alert, CodeForm, HostedShell, TextField, useAction } from '../ui.js';
import { useCaptcha } from '../captcha.js';

/** `/sign-in`: email and password, an emailed code, or an emailed link when the tenant offers links; then MFA or finishing sign-up when needed. */
export function SignInPage({
  client,
  redirect,
  notice,
}: {
  client: HostedClient;
  redirect: string | null;
  notice?: string;
}) {
  const { t, lang } = useLang();
  // `method=link` comes from the register page's "Email me a sign-in link".
  const [mode, setMode] = useState<'password' | 'code' | 'link'>(() =>
    new URLSearchParams(window.location.search).get('method') === 'link' ? 'link' : 'password',
  );
  const captcha = useCaptcha(client);
  // Whether the tenant offers magic links (SPEC §19): the "Email me a link" button shows only then.
  const [linksOn, setLinksOn] = useState(false);
  const [linkSent, setLinkSent] = useState(false);
  useEffect(() => {
    client
      .call<{ enabled: boolean }>('GET', '/api/experience/magic-links')
      .then((r) => setLinksOn(r.enabled === true))
      .catch(() => setLinksOn(false));
  }, [client]);
  // `email` carries an OpenID request's login_hint.
  const [email, setEmail] = useState(() => new URLSearchParams(window.location.search).get('email') ?? '');
  const [password, setPassword] = useState('');
  const [sent, setSent] = useState<CodeSent | null>(null);
  const [registrationToken, setRegistrationToken] = useState<string | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const action = useAction(formRef);
  const fields = action.explained?.fields ?? {};

  const sendCode = async () =>
    client.call<CodeSent>('POST', '/api/experience/verification-codes', {
      email: email.trim(),
      intent: 'sign-in',
      locale: lang,
      ...applicationField(),
      ...(await captcha.fields()),
    });
  // The link brings the browser back to where this sign-in was going (an OpenID request included).
  const sendLink = async () =>
    client.call<CodeSent>('POST', '/api/experience/magic-links', {
      email: email.trim(),
      intent: 'sign-in',
      locale: lang,
      ...(redirect ? { redirectTo: redirect } : {}),
      ...(await captcha.fields()),
    });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void action.run(async () => {
      if (mode === 'link') {
        setSent(await sendLink());
        setLinkSent(true);
      } else if (mode === 'password') {
        const answer = await client.call<SignInAnswer>('POST', '/api/experience/sign-in/password', {
          email: email.trim(),
          password,
        });
        afterSignIn(client, answer, email.trim(), redirect);
      } else setSent(await sendCode());
    });
  };

  if (registrationToken)
    return <FinishSignUp client={client} email={email.trim()} token={registrationToken} redirect={redirect} />;
  if (sent) {
    return (
      <HostedShell title={linkSent ? t('linkSentTitle') : t('signInTitle')} captcha={captcha.element}>
        {linkSent ? (
          <p className="muted" role="status">
            {withAddresses(t('linkSent', { email: email.trim() }), email.trim())}
          </p>
        ) : null}
        <CodeForm
          email={email.trim()}
          sent={sent}
          onResend={linkSent ? sendLink : sendCode}
          submitLabel={t('signIn')}
          onSubmit={async (code, verificationId) => {
            const answer = await client.call<SignInAnswer>('POST', '/api/experience/sign-in/verification-code', {
              email: email.trim(),
              verificationId,
              code,
            });
            setRegistrationToken(afterSignIn(client, answer, email.trim(), redirect));
          }}
        />
        <p>
          <button
            type="button"
            className="link-button"
            onClick={() => {
              setSent(null);
              setLinkSent(false);
            }}
          >
            {t('back')}
          </button>
        </p>
      </HostedShell>
    );
  }
  return (
    <HostedShell title={t('signInTitle')} captcha={captcha.element}>
      <p className="muted">{t('signInLead')}</p>
      {notice ? (
        <div className="notice success" role="status">
          {notice}
        </div>
      ) : null}
      <form ref={formRef} onSubmit={submit} noValidate>
        <TextField
          id="signin-email"
          label={t('email')}
          type="email"
          autoComplete="username"
          value={email}
          onChange={setEmail}
          error={fields.email}
          autoFocus
        />
        {mode === 'password' ? (
          <TextField
            id="signin-password"
            label={t('password')}
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={setPassword}
            error={fields.password}
          />
        ) : null}
        <Alert explained={action.explained} alertRef={action.alertRef} />
        <div className="hosted-actions">
          <button type="submit" className="primary" disabled={action.busy}>
            {action.busy ? t('working') : mode === 'password' ? t('signIn') : mode === 'link' ? t('sendLink') : t('sendCode')}
          </button>
          <button
            type="button"
            className="secondary"
            onClick={() => {
              action.setError(undefined);
              setMode(mode === 'password' ? 'code' : 'password');
            }}
          >
            {mode === 'password' ? t('emailMeCode') : t('usePassword')}
          </button>
          {linksOn && mode !== 'link' ? (
            <button
              type="button"
              className="secondary"
              onClick={() => {
                action.setError(undefined);
                setMode('link');
              }}
            >
              {t('emailMeLink')}
            </button>
          ) : null}
        </div>
      </form>
      <p className="hosted-links">
        <HostedLink to={withRedirect(client.path('forgot-password'), redirect)}>{t('forgotLink')}</HostedLink>
        <span>
          {t('noAccount')}{' '}
          <HostedLink to={withRedirect(client.path('register'), redirect)}>{t('createAccount')}</HostedLink>
        </span>
      </p>
    </HostedShell>
  );
}

/** A code sign-in for an address without an account, with sign-up on: finish it with the registration token. */
export function FinishSignUp({
  client,
  email,
  token,
  redirect,
}: {
  client: HostedClient;
  email: string;
  token: string;
  redirect: string | null;
}) {
  const { t } = useLang();
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const formRef = useRef<HTMLFormElement>(null);
  const action = useAction(formRef);
  const fields = action.explained?.fields ?? {};
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void action.run(async () => {
      const r = await client.call<{ tokens: Tokens }>('POST', '/api/experience/register', {
        registrationToken: token,
        ...(password ? { password } : {}),
        ...(name.trim() ? { name: name.trim() } : {}),
      });
      afterSignIn(client, r, email, redirect);
    });
  };
  return (
    <HostedShell title={t('finishSignUpTitle')}>
      <p>{email ? withAddresses(t('finishSignUpLead', { email }), email) : t('finishSignUpLeadNoEmail')}</p>
      <form ref={formRef} onSubmit={submit} noValidate>
        <TextField
          id="finish-name"
          label={t('name')}
          autoComplete="name"
          value={name}
          onChange={setName}
          error={fields.name}
          autoFocus
        />
        <TextField
          id="finish-password"
          label={t('password')}
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={setPassword}
          error={fields.password}
          help={t('passwordOptionalHelp')}
        />
        <Alert explained={action.explained} alertRef={action.alertRef} />
        <button type="submit" className="primary" disabled={action.busy}>
          {action.busy ? t('working') : t('finishSignUp')}
        </button>
      </form>
    </HostedShell>
  );
}
