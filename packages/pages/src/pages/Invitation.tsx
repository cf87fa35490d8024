import { useEffect, useState } from 'react';
import { Address, withAddresses } from '../Address.js';
import type { Account, HostedClient, InvitationView } from '../client.js';
import { explain } from '../errors.js';
import { useLang, type StringKey } from '../i18n.js';
import { HostedLink } from '../HostedLink.js';
import { withRedirect } from '../nav.js';
import { Alert, HostedShell, Success, useAction } from '../ui.js';

/** `/invitation/:token`: what the invitation is for, and Accept for the invited, signed-in address. */
export function InvitationPage({ client, token }: { client: HostedClient; token: string }) {
  const { t, lang } = useLang();
  const [view, setView] = useState<InvitationView | null>(null);
  const [me, setMe] = useState<Account | null>(null);
  const [accepted, setAccepted] = useState<string | null>(null);
  const load = useAction();
  const accept = useAction();
  const here = client.path(`invitation/${encodeURIComponent(token)}`);

  useEffect(() => {
    void load.run(async () => {
      setView(await client.call<InvitationView>('GET', `/api/invitations/${encodeURIComponent(token)}`));
      if (client.signedIn()) {
        try {
          setMe(await client.authed<Account>('GET', '/api/my-account'));
        } catch {
          setMe(null);
        }
      }
    });
  }, []);

  const doAccept = () =>
    accept.run(async () => {
      const r = await client.authed<{ organization: { name: string } }>('POST', `/api/invitations/${encodeURIComponent(token)}/accept`);
      setAccepted(r.organization.name);
      setView((v) => (v ? { ...v, status: 'accepted' } : v));
    });
  const acceptError = accept.error ? explain(t, accept.error, { email: view?.email ?? '', current: me?.email ?? '' }) : undefined;
  const statusKey = `status_${view?.status ?? 'pending'}` as StringKey;

  return (
    <HostedShell title={t('invitationTitle')}>
      {!view ? (
        load.explained ? <Alert explained={load.explained} alertRef={load.alertRef} /> : <p role="status">{t('loading')}</p>
      ) : (
        <>
          <p className="lead">{t('invitationLead', { org: view.organization.name })}</p>
          <dl className="facts">
            <dt>{t('invitationFor')}</dt>
            <dd>
              <Address value={view.email} />
            </dd>
            <dt>{t('invitationStatus')}</dt>
            <dd>
              <span className={`chip chip-invite-${view.status}`}>{t(statusKey)}</span>
            </dd>
            <dt>{t('invitationExpires')}</dt>
            <dd>{new Date(view.expiresAt).toLocaleString(lang)}</dd>
          </dl>
          {accepted ? (
            <Success>{t('accepted', { org: accepted })}</Success>
          ) : view.status !== 'pending' ? (
            <div className="notice warning" role="status">
              {t('invitation.not_pending')}
            </div>
          ) : me ? (
            <>
              <p>{withAddresses(t('signedInAs', { email: me.email ?? '' }), me.email ?? '')}</p>
              <Alert explained={acceptError} alertRef={accept.alertRef} />
              <div className="hosted-actions">
                <button type="button" className="primary" disabled={accept.busy} onClick={() => void doAccept()}>
                  {accept.busy ? t('working') : t('accept')}
                </button>
                <button
                  type="button"
                  className="secondary"
                  onClick={() => {
                    void client.signOut().then(() => setMe(null));
                  }}
                >
                  {t('notYou')}
                </button>
              </div>
            </>
          ) : (
            <>
              <p>{withAddresses(t('invitationSignIn', { email: view.email }), view.email)}</p>
              <p className="hosted-links">
                <HostedLink to={withRedirect(client.path('sign-in'), here)}>{t('signIn')}</HostedLink>
                <HostedLink to={withRedirect(client.path('register'), here)}>{t('createAccount')}</HostedLink>
              </p>
            </>
          )}
        </>
      )}
    </HostedShell>
  );
}
