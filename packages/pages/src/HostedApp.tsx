/**
 * The hosted end-user pages (SPEC §14), served from their own bundle (packages/pages) at /sign-in, …
 * and /t/T/sign-in, …. They call only the end-user APIs of their tenant.
 */
import { useMemo } from 'react';
import { HostedClient } from './client.js';
import { useLang } from './i18n.js';
import { safeRedirect, useHostedPage } from './nav.js';
import type { HostedPage } from './route.js';
import { SignInPage } from './pages/SignIn.js';
import { RegisterPage } from './pages/Register.js';
import { ForgotPasswordPage } from './pages/ForgotPassword.js';
import { MfaPage } from './pages/Mfa.js';
import { AccountPage } from './pages/Account.js';
import { InvitationPage } from './pages/Invitation.js';
import { MagicLinkPage } from './pages/MagicLink.js';
import './hosted.css';

export function HostedApp({ initial }: { initial: HostedPage }) {
  const { page, search } = useHostedPage(initial);
  const { t } = useLang();
  const client = useMemo(() => new HostedClient(page.tenantId), [page.tenantId]);
  const redirect = safeRedirect(search.get('redirect'));
  // Each location gets a fresh page state (key), so moving between pages starts each anew.
  const key = `${page.page}/${page.token ?? ''}/${search.toString()}`;
  switch (page.page) {
    case 'sign-in': {
      const notice = search.has('changed') ? t('passwordChanged') : search.has('signedOut') ? t('signedOut') : undefined;
      return <SignInPage key={key} client={client} redirect={redirect} {...(notice ? { notice } : {})} />;
    }
    case 'register':
      return <RegisterPage key={key} client={client} redirect={redirect} />;
    case 'forgot-password':
      return <ForgotPasswordPage key={key} client={client} redirect={redirect} />;
    case 'mfa':
      return <MfaPage key={key} client={client} redirect={redirect} />;
    case 'account':
      return <AccountPage key={key} client={client} />;
    case 'invitation':
      return <InvitationPage key={key} client={client} token={page.token ?? ''} />;
    case 'magic-link':
      return <MagicLinkPage key={key} client={client} token={page.token ?? ''} />;
  }
}
