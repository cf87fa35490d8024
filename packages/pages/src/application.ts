import { useEffect, useState } from 'react';
import { tenantPrefix } from '@postern/client';
import { applicationField } from './flow.js';
import { hostedPage } from './route.js';

/** The application that asks for this sign-in (`GET /api/experience/applications/:clientId`). */
export interface PageApplication {
  name: string;
  logoUrl: string | null;
}

const loaded = new Map<string, Promise<PageApplication | null>>();

/** The application named by the page's `client_id` (an OpenID sign-in), fetched once per id; null when there is none or it cannot be read. */
export function loadApplication(clientId: string): Promise<PageApplication | null> {
  let p = loaded.get(clientId);
  if (!p) {
    const tenantId = hostedPage(window.location.pathname)?.tenantId ?? 'default';
    p = (async () => {
      try {
        const res = await fetch(`${tenantPrefix(tenantId)}/api/experience/applications/${encodeURIComponent(clientId)}`, { headers: { accept: 'application/json' } });
        return res.ok ? ((await res.json()) as PageApplication) : null;
      } catch {
        return null;
      }
    })();
    loaded.set(clientId, p);
  }
  return p;
}

export function useApplication(): PageApplication | null {
  const clientId = applicationField().applicationId;
  const [app, setApp] = useState<PageApplication | null>(null);
  useEffect(() => {
    if (!clientId) {
      setApp(null);
      return;
    }
    let live = true;
    void loadApplication(clientId).then((v) => live && setApp(v));
    return () => {
      live = false;
    };
  }, [clientId]);
  return app;
}
