/** Client-side navigation between the hosted pages, and the `redirect` parameter. */
import { useEffect, useState } from 'react';
import { hostedPage, type HostedPage } from './route.js';

const listeners = new Set<() => void>();

export function go(url: string, replace = false): void {
  if (replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  window.scrollTo(0, 0);
  for (const l of listeners) l();
}

/** The hosted page at the current location, kept up to date on navigation. */
export function useHostedPage(initial: HostedPage): { page: HostedPage; search: URLSearchParams } {
  const read = () => ({ page: hostedPage(window.location.pathname) ?? initial, search: new URLSearchParams(window.location.search) });
  const [state, setState] = useState(read);
  useEffect(() => {
    const update = () => setState(read());
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return state;
}

/** A `redirect` value that stays on this origin: a path, never `//host` or a scheme. */
export function safeRedirect(value: string | null): string | null {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return null;
  try {
    const u = new URL(value, window.location.origin);
    return u.origin === window.location.origin ? u.pathname + u.search + u.hash : null;
  } catch {
    return null;
  }
}

/** `path` plus the current `redirect` parameter, so that it survives sign-in → MFA → back. */
export function withRedirect(path: string, redirect: string | null): string {
  return redirect ? `${path}?redirect=${encodeURIComponent(redirect)}` : path;
}
