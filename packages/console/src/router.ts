/** A tiny history-API router for the console under /console/. */
import { useEffect, useState } from 'react';

export const BASE = '/console';

/** The console-relative path of the current location (`/connectors/new`). */
export function currentRoute(): string {
  const p = window.location.pathname;
  if (p === BASE || p === `${BASE}/`) return '/';
  return p.startsWith(`${BASE}/`) ? p.slice(BASE.length).replace(/\/+$/, '') || '/' : p;
}

const listeners = new Set<() => void>();

export function navigate(route: string, replace = false): void {
  const url = BASE + (route === '/' ? '/' : route);
  if (replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  window.scrollTo(0, 0);
  for (const l of listeners) l();
}

export function useRoute(): string {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    listeners.add(update);
    window.addEventListener('popstate', update);
    // A child may have navigated before this effect subscribed (effects run child-first).
    update();
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return route;
}
