import { useEffect, useState } from 'react';
import { Link } from './ui/Link.js';
import { api, type Tenant } from './api.js';
import { navigate, useRoute } from './router.js';
import { session } from './session.js';
import { useLoad } from './ui/useLoad.js';
import { SignIn } from './pages/SignIn.js';
import { ConnectorsPage } from './pages/Connectors.js';
import { GettingStartedPage } from './pages/GettingStarted.js';
import { ProviderPicker } from './connectors/ProviderPicker.js';
import { ConnectorSetup } from './connectors/ConnectorSetup.js';
import { SignInExperiencePage } from './pages/SignInExperience.js';
import { EmailLogsPage } from './pages/EmailLogs.js';
import { EmailLogDetailPage } from './pages/EmailLogDetail.js';
import { UserDetailPage } from './pages/UserDetail.js';
import { MailboxPage } from './pages/Mailbox.js';
import { SuppressionsPage } from './pages/Suppressions.js';
import { OutboxPage } from './pages/Outbox.js';
import { WebhooksPage } from './pages/Webhooks.js';
import { IntegrationsPage } from './pages/Integrations.js';
import { SmtpRelayPage } from './pages/SmtpRelay.js';
import { BotProtectionPage } from './pages/BotProtection.js';
import { EmailPolicyPage } from './pages/EmailPolicy.js';
import { TenantSettingsPage } from './pages/TenantSettings.js';
import { ComingSoon } from './pages/ComingSoon.js';
import { EmailTemplatesPage } from './pages/EmailTemplates.js';
import { TemplateEditorPage } from './templates/TemplateEditor.js';
import { BrandingPage } from './pages/Branding.js';
import { CodePolicyPage } from './pages/CodePolicy.js';
import { DeliverabilityPage } from './pages/Deliverability.js';
import { UsersPage } from './pages/Users.js';
import { OrganizationPage, OrganizationsPage } from './pages/Organizations.js';
import { ApplicationPage, ApplicationsPage } from './pages/Applications.js';

interface NavItem {
  route: string;
  label: string;
  soon?: string;
}

const NAV: NavItem[] = [
  { route: '/getting-started', label: 'Getting started' },
  { route: '/connectors', label: 'Connectors' },
  { route: '/email-templates', label: 'Email templates' },
  { route: '/branding', label: 'Branding' },
  { route: '/sign-in-experience', label: 'Sign-in experience' },
  { route: '/code-policy', label: 'Code policy' },
  { route: '/users', label: 'Users' },
  { route: '/organizations', label: 'Organizations' },
  { route: '/applications', label: 'Applications' },
  { route: '/email-logs', label: 'Email logs' },
  { route: '/suppressions', label: 'Suppressions' },
  { route: '/webhooks', label: 'Webhooks' },
  { route: '/deliverability', label: 'Deliverability' },
  { route: '/mailbox', label: 'Mailbox' },
  { route: '/outbox', label: 'Outbox' },
  { route: '/integrations', label: 'Integrations' },
  { route: '/smtp-relay', label: 'SMTP relay' },
  { route: '/tenant', label: 'Tenant settings' },
];

/** Abuse protection (SPEC §19), a group of its own in the navigation. */
const SECURITY: NavItem[] = [
  { route: '/bot-protection', label: 'Bot protection' },
  { route: '/email-policy', label: 'Email domain policy' },
];

/** Pages that later work fills in; listed so the navigation is complete, with no fake data. */
const SOON: NavItem[] = [];

export function ConsoleApp() {
  const [signedIn, setSignedIn] = useState(() => !!session.key());
  const [tenantId, setTenantId] = useState(session.tenantId);
  if (!signedIn) {
    return (
      <SignIn
        onSignedIn={() => {
          setTenantId(session.tenantId());
          setSignedIn(true);
        }}
      />
    );
  }
  return (
    <Shell
      tenantId={tenantId}
      onSwitch={(t) => {
        session.switchTenant(t);
        setTenantId(t);
      }}
      onSignOut={() => {
        session.signOut();
        setSignedIn(false);
        navigate('/', true);
      }}
    />
  );
}

function Shell({ tenantId, onSwitch, onSignOut }: { tenantId: string; onSwitch(t: string): void; onSignOut(): void }) {
  const route = useRoute();
  const system = session.isSystem();
  const tenants = useLoad(() => (system ? api.tenants().then((p) => p.items) : Promise.resolve<Tenant[]>([])), [system]);
  const section = '/' + (route.split('/')[1] ?? '');
  // On a phone the navigation folds behind a Menu button, and folds again after a choice.
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => setMenuOpen(false), [route]);
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <button type="button" className="menu-toggle secondary small" aria-expanded={menuOpen} aria-controls="console-nav" onClick={() => setMenuOpen(!menuOpen)}>
          Menu
        </button>
        <span className="brand">
          <span className="brand-mark" aria-hidden="true">
            ✉
          </span>{' '}
          Postern
        </span>
        <div className="tenant-switch">
          {system ? (
            <>
              <label htmlFor="tenant-switch">Tenant</label>
              <select id="tenant-switch" value={tenantId} onChange={(e) => onSwitch(e.target.value)}>
                {(tenants.data ?? [{ id: tenantId, name: tenantId } as Tenant]).map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name === t.id ? t.id : `${t.name} (${t.id})`}
                  </option>
                ))}
                {tenants.data && !tenants.data.some((t) => t.id === tenantId) ? <option value={tenantId}>{tenantId}</option> : null}
              </select>
            </>
          ) : (
            <span>
              Tenant <strong>{tenantId}</strong>
            </span>
          )}
        </div>
        <button type="button" className="secondary small" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <nav className={`sidebar${menuOpen ? ' open' : ''}`} id="console-nav" aria-label="Console">
        <ul>
          {NAV.map((n) => (
            <li key={n.route}>
              <Link to={n.route} aria-current={section === n.route ? 'page' : undefined}>{n.label}</Link>
            </li>
          ))}
        </ul>
        <p className="nav-heading" id="security-heading">
          Security
        </p>
        <ul aria-labelledby="security-heading">
          {SECURITY.map((n) => (
            <li key={n.route}>
              <Link to={n.route} aria-current={section === n.route ? 'page' : undefined}>{n.label}</Link>
            </li>
          ))}
        </ul>
        {SOON.length ? (
          <>
            <p className="nav-heading" id="soon-heading">
              Coming soon
            </p>
            <ul aria-labelledby="soon-heading">
              {SOON.map((n) => (
                <li key={n.route}>
                  <Link to={n.route} aria-current={section === n.route ? 'page' : undefined}>
                    {n.label} <span className="badge">soon</span>
                  </Link>
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </nav>
      <main className="content" id="main" tabIndex={-1} key={tenantId}>
        <Page route={route} onTenantsChanged={() => void tenants.reload()} tenants={tenants.data} />
      </main>
    </div>
  );
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, true), [to]);
  return null;
}

function Page({ route, onTenantsChanged, tenants }: { route: string; onTenantsChanged(): void; tenants: Tenant[] | undefined }) {
  const parts = route.split('/').filter(Boolean);
  if (parts.length === 0) return <Redirect to="/getting-started" />;
  const [first, second, third] = parts;
  switch (first) {
    case 'getting-started':
      return <GettingStartedPage />;
    case 'connectors':
      if (second === 'new' && third) return <ConnectorSetup factoryId={decodeURIComponent(third)} />;
      if (second === 'new') return <ProviderPicker />;
      if (second === 'fallback' && third === 'new' && parts[3]) return <ConnectorSetup role="fallback" factoryId={decodeURIComponent(parts[3])} />;
      if (second === 'fallback' && third === 'new') return <ProviderPicker role="fallback" />;
      return <ConnectorsPage />;
    case 'sign-in-experience':
      return <SignInExperiencePage />;
    case 'email-logs':
      if (second) return <EmailLogDetailPage id={decodeURIComponent(second)} />;
      return <EmailLogsPage />;
    case 'email-templates':
      if (second && third) return <TemplateEditorPage locale={decodeURIComponent(second)} type={decodeURIComponent(third)} />;
      return <EmailTemplatesPage />;
    case 'branding':
      return <BrandingPage />;
    case 'code-policy':
      return <CodePolicyPage tenants={tenants} />;
    case 'deliverability':
      return <DeliverabilityPage />;
    case 'mailbox':
      return <MailboxPage />;
    case 'suppressions':
      return <SuppressionsPage />;
    case 'outbox':
      return <OutboxPage />;
    case 'webhooks':
      return <WebhooksPage />;
    case 'integrations':
      return <IntegrationsPage />;
    case 'smtp-relay':
      return <SmtpRelayPage />;
    case 'bot-protection':
      return <BotProtectionPage />;
    case 'email-policy':
      return <EmailPolicyPage />;
    case 'users':
      if (second) return <UserDetailPage id={decodeURIComponent(second)} />;
      return <UsersPage />;
    case 'organizations':
      if (second) return <OrganizationPage id={decodeURIComponent(second)} />;
      return <OrganizationsPage />;
    case 'applications':
      if (second) return <ApplicationPage id={decodeURIComponent(second)} />;
      return <ApplicationsPage />;
    case 'tenant':
      return <TenantSettingsPage tenants={tenants} onTenantsChanged={onTenantsChanged} />;
  }
  const soon = SOON.find((s) => s.route === `/${first}`);
  if (soon) return <ComingSoon title={soon.label} what={soon.soon ?? ''} />;
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        There is no console page at this address. <Link to="/connectors">Go to Connectors</Link>.
      </p>
    </section>
  );
}
