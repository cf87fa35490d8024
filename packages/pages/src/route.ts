/** Which hosted end-user page (SPEC §14) a path is, for the default tenant or under /t/T. */
export interface HostedPage {
  page: 'sign-in' | 'register' | 'forgot-password' | 'mfa' | 'account' | 'invitation' | 'magic-link';
  tenantId: string;
  token?: string;
  /** The console's live preview of this page (`/preview/sign-in`): inert, and dressed in unsaved branding. */
  preview?: true;
}

/** Which hosted page a path is (`/sign-in`, `/t/acme/invitation/abc`), or null for any other path. */
export function hostedPage(pathname: string): HostedPage | null {
  const preview = /^(?:\/t\/([^/]+))?\/preview\/sign-in\/?$/.exec(pathname);
  if (preview) return { page: 'sign-in', tenantId: preview[1] ? decodeURIComponent(preview[1]) : 'default', preview: true };
  const m = /^(?:\/t\/([^/]+))?\/(sign-in|register|forgot-password|mfa|account|invitation|magic-link)(?:\/([^/]+))?\/?$/.exec(pathname);
  if (!m) return null;
  const page = m[2] as HostedPage['page'];
  // Only an invitation and a magic link carry a token segment, and they always do.
  if ((page === 'invitation' || page === 'magic-link') !== !!m[3]) return null;
  return { page, tenantId: m[1] ? decodeURIComponent(m[1]) : 'default', ...(m[3] ? { token: decodeURIComponent(m[3]) } : {}) };
}
