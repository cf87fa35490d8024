/**
 * The hosted end-user pages (SPEC §14) share this bundle; until they are built, each of
 * their paths shows a plain placeholder instead of the console.
 */
export interface HostedPage {
  page: 'sign-in' | 'register' | 'forgot-password' | 'mfa' | 'account' | 'invitation';
  tenantId: string;
  token?: string;
}

const TITLES: Record<HostedPage['page'], string> = {
  'sign-in': 'Sign in',
  register: 'Create an account',
  'forgot-password': 'Reset your password',
  mfa: 'Verify it is you',
  account: 'Your account',
  invitation: 'Invitation',
};

/** Which hosted page a path is (`/sign-in`, `/t/acme/invitation/abc`), or null for the console. */
export function hostedPage(pathname: string): HostedPage | null {
  const m = /^(?:\/t\/([^/]+))?\/(sign-in|register|forgot-password|mfa|account|invitation)(?:\/([^/]+))?\/?$/.exec(pathname);
  if (!m) return null;
  const page = m[2] as HostedPage['page'];
  if ((page === 'invitation') !== !!m[3]) return null;
  return { page, tenantId: m[1] ? decodeURIComponent(m[1]) : 'default', ...(m[3] ? { token: m[3] } : {}) };
}

export function HostedPlaceholder({ page }: { page: HostedPage }) {
  return (
    <main className="hosted" id="main">
      <div className="card hosted-card">
        <h1>{TITLES[page.page]}</h1>
        <p>This page is coming soon.</p>
        <p className="muted">Your application's sign-in pages will appear here.</p>
      </div>
    </main>
  );
}
