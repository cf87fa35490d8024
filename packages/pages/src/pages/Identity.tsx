import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import { withAddresses } from '../Address.js';
import type { CodeSent } from '../client.js';
import { useLang } from '../i18n.js';
import { Alert, CodeForm, TextField, useAction } from '../ui.js';

export interface IdentityProof {
  identityVerificationToken: string;
  expiresAt: string;
}
export type Authed = <T>(method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<T>;

/**
 * Shows `children(token)` once the user has confirmed it is them (by password, or by a
 * code to the current email); the proof lasts its 10 minutes across the account page.
 */
/**
 * With `codeOnly`, only a code to the current address will do (SPEC §19: an email change
 * confirmed at the old address as well), so the password form is not offered.
 */
export function NeedsIdentity({ authed, proof, onProof, email, codeOnly = false, children }: { authed: Authed; proof: IdentityProof | null; onProof(p: IdentityProof | null): void; email: string; codeOnly?: boolean; children(token: string): ReactNode }) {
  const { t, lang } = useLang();
  const [password, setPassword] = useState('');
  const [sent, setSent] = useState<CodeSent | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const action = useAction(formRef);
  if (proof && Date.parse(proof.expiresAt) > Date.now() + 5_000) return <>{children(proof.identityVerificationToken)}</>;
  const sendCode = () => authed<CodeSent>('POST', '/api/my-account/identity-verifications', { locale: lang });
  const byPassword = (e: FormEvent) => {
    e.preventDefault();
    void action.run(async () => onProof(await authed<IdentityProof>('POST', '/api/my-account/identity-verifications/password', { password })));
  };
  return (
    <div className="identity">
      <h3>{t('confirmIdentity')}</h3>
      {sent ? (
        <CodeForm
          email={email}
          sent={sent}
          onResend={sendCode}
          submitLabel={t('confirmByPassword')}
          idPrefix="identity-code"
          onSubmit={async (code, verificationId) => onProof(await authed<IdentityProof>('POST', '/api/my-account/identity-verifications/verify', { verificationId, code }))}
        />
      ) : codeOnly ? (
        <form ref={formRef} onSubmit={(e) => (e.preventDefault(), void action.run(async () => setSent(await sendCode())))} noValidate>
          <p>{withAddresses(t('confirmCurrentEmail', { email }), email)}</p>
          <Alert explained={action.explained} alertRef={action.alertRef} />
          <div className="hosted-actions">
            <button type="submit" className="primary" disabled={action.busy}>
              {t('sendCurrentCode')}
            </button>
          </div>
        </form>
      ) : (
        <form ref={formRef} onSubmit={byPassword} noValidate>
          <TextField id="identity-password" label={t('currentPassword')} type="password" autoComplete="current-password" value={password} onChange={setPassword} error={action.explained?.fields.password} autoFocus />
          <Alert explained={action.explained} alertRef={action.alertRef} />
          <div className="hosted-actions">
            <button type="submit" className="primary" disabled={action.busy}>
              {t('confirmByPassword')}
            </button>
            <button type="button" className="secondary" disabled={action.busy} onClick={() => void action.run(async () => setSent(await sendCode()))}>
              {t('confirmByCode')}
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
