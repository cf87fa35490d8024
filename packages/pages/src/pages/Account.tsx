import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { Address } from '../Address.js';
import { isAuthFailure, type Account, type CodeSent, type HostedClient } from '../client.js';
import { PosternError } from '@postern/client';
import { useLang } from '../i18n.js';
import { go, withRedirect } from '../nav.js';
import { Alert, CodeForm, HostedShell, Success, TextField, useAction } from '../ui.js';
import { NeedsIdentity, type Authed, type IdentityProof } from './Identity.js';

type Panel = null | 'email' | 'password' | 'mfa-on' | 'mfa-off';

/** `/account`: the signed-in account, changing email and password, email MFA on and off, sign-out. */
export function AccountPage({ client }: { client: HostedClient }) {
  const { t } = useLang();
  const [account, setAccount] = useState<Account | null>(null);
  const [panel, setPanel] = useState<Panel>(null);
  const [proof, setProof] = useState<IdentityProof | null>(null);
  /** The server asked for a code to the current address (double confirmation of an email change). */
  const [codeOnly, setCodeOnly] = useState(false);
  /** The email change that waited for that code: sent again once the code proves the current address. */
  const [pendingEmail, setPendingEmail] = useState<EmailChange | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const load = useAction();
  const toSignIn = useCallback(() => go(withRedirect(client.path('sign-in'), client.path('account')), true), [client]);

  // A refused token after the refresh means the session is over: back to sign-in, then here again.
  const authed: Authed = useCallback(
    async <T,>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
      try {
        return await client.authed<T>(method, path, body, headers);
      } catch (e) {
        if (isAuthFailure(e)) toSignIn();
        throw e;
      }
    },
    [client, toSignIn],
  ) as Authed;

  useEffect(() => {
    if (!client.signedIn()) return toSignIn();
    void load.run(async () => setAccount(await authed<Account>('GET', '/api/my-account')));
  }, []);

  const finish = (message: string, next?: Account) => {
    if (next) setAccount(next);
    setPanel(null);
    setDone(message);
  };
  // A proof by code after a refused email change: the change goes through with it at once (its
  // code is still unspent); if that fails, the form starts again.
  const onProof = async (p: IdentityProof | null) => {
    if (p && pendingEmail) {
      const change = pendingEmail;
      setPendingEmail(null);
      try {
        const a = await authed<Account>('PUT', '/api/my-account/primary-email', change, iv(p.identityVerificationToken));
        setProof(p);
        return finish(t('emailChanged', { email: a.email ?? '' }), a);
      } catch {
        // Fall through: the proof still holds for a fresh attempt.
      }
    }
    setProof(p);
  };
  const open = (p: Panel) => {
    setDone(null);
    setPanel(p);
  };
  const signOut = async () => {
    await client.signOut();
    go(`${client.path('sign-in')}?signedOut=1`);
  };

  return (
    <HostedShell title={t('accountTitle')}>
      {!account ? (
        load.explained ? <Alert explained={load.explained} alertRef={load.alertRef} /> : <p role="status">{t('loading')}</p>
      ) : (
        <>
          <dl className="facts">
            <dt>{t('accountEmail')}</dt>
            <dd>
              <span data-testid="account-email">{account.email ? <Address value={account.email} /> : t('noName')}</span>{' '}
              {account.email ? <span className="badge">{account.emailVerified ? t('verified') : t('notVerified')}</span> : null}
            </dd>
            <dt>{t('accountName')}</dt>
            <dd>{account.name ?? t('noName')}</dd>
            <dt>{t('mfaSection')}</dt>
            <dd>{account.mfa.email ? t('mfaOn') : t('mfaOff')}</dd>
          </dl>
          {done ? <Success>{done}</Success> : null}
          {panel === null ? (
            <div className="hosted-actions wrap">
              <button type="button" className="secondary" onClick={() => open('email')}>
                {t('changeEmail')}
              </button>
              <button type="button" className="secondary" onClick={() => open('password')}>
                {t('changePassword')}
              </button>
              <button type="button" className="secondary" onClick={() => open(account.mfa.email ? 'mfa-off' : 'mfa-on')}>
                {account.mfa.email ? `${t('mfaTurnOff')}: ${t('mfaSection')}` : `${t('mfaTurnOn')}: ${t('mfaSection')}`}
              </button>
              <button type="button" className="danger-outline" onClick={() => void signOut()}>
                {t('signOut')}
              </button>
            </div>
          ) : (
            <section className="account-panel" aria-labelledby="panel-title">
              <h2 id="panel-title">{panel === 'email' ? t('changeEmail') : panel === 'password' ? t('changePassword') : panel === 'mfa-on' ? `${t('mfaTurnOn')}: ${t('mfaSection')}` : `${t('mfaTurnOff')}: ${t('mfaSection')}`}</h2>
              {panel === 'mfa-on' ? (
                <MfaOn authed={authed} email={account.email ?? ''} onDone={(a) => finish(t('mfaEnabled'), a)} />
              ) : (
                <NeedsIdentity authed={authed} proof={proof} onProof={onProof} email={account.email ?? ''} codeOnly={codeOnly && panel === 'email'}>
                  {(token) =>
                    panel === 'email' ? (
                      <ChangeEmail authed={authed} token={token} onDone={(a) => finish(t('emailChanged', { email: a.email ?? '' }), a)} onNeedsCurrentAddress={(change) => (setPendingEmail(change), setCodeOnly(true), setProof(null))} />
                    ) : panel === 'password' ? (
                      <ChangePassword authed={authed} token={token} onDone={() => finish(t('passwordUpdated'))} />
                    ) : (
                      <MfaOff authed={authed} token={token} onDone={() => finish(t('mfaDisabled'), { ...account, mfa: { email: false } })} />
                    )
                  }
                </NeedsIdentity>
              )}
              <button type="button" className="link-button" onClick={() => setPanel(null)}>
                {t('cancel')}
              </button>
            </section>
          )}
        </>
      )}
    </HostedShell>
  );
}

const iv = (token: string) => ({ 'identity-verification': token });

interface EmailChange {
  email: string;
  verificationId: string;
  code: string;
}

function ChangeEmail({ authed, token, onDone, onNeedsCurrentAddress }: { authed: Authed; token: string; onDone(a: Account): void; onNeedsCurrentAddress(change: EmailChange): void }) {
  const { t, lang } = useLang();
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState<CodeSent | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const action = useAction(formRef);
  const sendCode = () => authed<CodeSent>('POST', '/api/my-account/email-verifications', { email: email.trim(), locale: lang });
  if (sent) {
    return (
      <CodeForm
        email={email.trim()}
        sent={sent}
        onResend={sendCode}
        submitLabel={t('save')}
        idPrefix="email-code"
        onSubmit={async (code, verificationId) => {
          const change = { email: email.trim(), verificationId, code };
          try {
            onDone(await authed<Account>('PUT', '/api/my-account/primary-email', change, iv(token)));
          } catch (e) {
            // A password proof does not suffice when the tenant confirms at the old address too.
            if (e instanceof PosternError && e.code === 'account.identity_verification_required' && e.details.reason === 'confirm_current_email') return onNeedsCurrentAddress(change);
            throw e;
          }
        }}
      />
    );
  }
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void action.run(async () => setSent(await sendCode()));
  };
  return (
    <form ref={formRef} onSubmit={submit} noValidate>
      <TextField id="new-email" label={t('newEmail')} type="email" autoComplete="email" value={email} onChange={setEmail} error={action.explained?.fields.email} autoFocus />
      <Alert explained={action.explained} alertRef={action.alertRef} />
      <button type="submit" className="primary" disabled={action.busy}>
        {t('sendCode')}
      </button>
    </form>
  );
}

function ChangePassword({ authed, token, onDone }: { authed: Authed; token: string; onDone(): void }) {
  const { t } = useLang();
  const [newPassword, setNewPassword] = useState('');
  const formRef = useRef<HTMLFormElement>(null);
  const action = useAction(formRef);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void action.run(async () => {
      await authed('POST', '/api/my-account/password', { newPassword }, iv(token));
      onDone();
    });
  };
  return (
    <form ref={formRef} onSubmit={submit} noValidate>
      <TextField id="account-new-password" label={t('newPassword')} type="password" autoComplete="new-password" value={newPassword} onChange={setNewPassword} error={action.explained?.fields.newPassword} autoFocus />
      <Alert explained={action.explained} alertRef={action.alertRef} />
      <button type="submit" className="primary" disabled={action.busy}>
        {t('save')}
      </button>
    </form>
  );
}

function MfaOn({ authed, email, onDone }: { authed: Authed; email: string; onDone(a: Account): void }) {
  const { t, lang } = useLang();
  const [sent, setSent] = useState<CodeSent | null>(null);
  const action = useAction();
  const sendCode = () => authed<CodeSent>('POST', '/api/my-account/mfa/email', { locale: lang });
  if (sent) {
    return <CodeForm email={email} sent={sent} onResend={sendCode} submitLabel={t('mfaTurnOn')} idPrefix="bind-mfa-code" onSubmit={async (code, verificationId) => onDone(await authed<Account>('POST', '/api/my-account/mfa/email/verify', { verificationId, code }))} />;
  }
  return (
    <>
      <p>{t('mfaOn')}</p>
      <Alert explained={action.explained} alertRef={action.alertRef} />
      <button type="button" className="primary" autoFocus disabled={action.busy} onClick={() => void action.run(async () => setSent(await sendCode()))}>
        {t('sendCode')}
      </button>
    </>
  );
}

function MfaOff({ authed, token, onDone }: { authed: Authed; token: string; onDone(): void }) {
  const { t } = useLang();
  const action = useAction();
  return (
    <>
      <Alert explained={action.explained} alertRef={action.alertRef} />
      <button
        type="button"
        className="danger"
        autoFocus
        disabled={action.busy}
        onClick={() =>
          void action.run(async () => {
            await authed('DELETE', '/api/my-account/mfa/email', undefined, iv(token));
            onDone();
          })
        }
      >
        {t('mfaTurnOff')}
      </button>
    </>
  );
}
