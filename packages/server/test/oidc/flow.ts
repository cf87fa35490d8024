import { createServer } from 'node:net';
import { expect } from 'vitest';

/** A free loopback port, so that POSTERN_PUBLIC_URL can name the address the server listens on. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A browser's cookie jar, enough for one origin: name, value and path. */
export class Browser {
  private readonly jar = new Map<string, { value: string; path: string }>();

  private cookieHeader(url: URL): string {
    return [...this.jar.entries()]
      .filter(
        ([, c]) =>
          url.pathname === c.path ||
          url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`) ||
          c.path === '/',
      )
      .map(([k, c]) => `${k}=${c.value}`)
      .join('; ');
  }

  names(): string[] {
    return [...this.jar.keys()];
  }

  cookie(name: string): { value: string; path: string } | undefined {
    return this.jar.get(name);
  }

  async fetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const u = new URL(url);
    const headers = new Headers(init.headers);
    const c = this.cookieHeader(u);
    if (c) headers.set('cookie', c);
    const res = await fetch(u, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';').map((x) => x.trim());
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      const path = attrs.find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
      const expired =
        attrs.some((a) => /^expires=thu, 01 jan 1970/i.test(a)) || attrs.some((a) => /^max-age=0$/i.test(a));
      if (expired || value === '') this.jar.delete(name);
      else this.jar.set(name, { value, path });
    }
    return res;
  }
}

/** Follows the provider's redirects until they leave it (to the application's redirect URI). */
export async function follow(b: Browser, base: string, start: URL): Promise<URL> {
  let at = start;
  for (let i = 0; i < 10; i++) {
    if (!at.href.startsWith(base)) return at;
    const res = await b.fetch(at);
    expect([302, 303], `${at.pathname}: ${res.status} ${await res.clone().text()}`).toContain(res.status);
    at = new URL(res.headers.get('location')!, base);
  }
  throw new Error('too many redirects');
}

/**
 * What the hosted sign-in page does, over HTTP: follow the authorization request to the page,
 * sign in by password through the experience API, hand the access token to the interaction,
 * then follow the provider back to the application. Returns the application's callback URL.
 */
export async function signInThroughPages(
  b: Browser,
  base: string,
  who: { email: string; password: string },
  authUrl: URL,
): Promise<URL> {
  let res = await b.fetch(authUrl);
  expect(res.status).toBe(303);
  const interaction = new URL(res.headers.get('location')!, base);
  expect(interaction.pathname).toMatch(/\/oidc\/interaction\/[\w-]+$/);
  res = await b.fetch(interaction);
  expect(res.status).toBe(303);
  const pageUrl = new URL(res.headers.get('location')!, base);
  expect(pageUrl.pathname).toMatch(/\/sign-in$/);
  const api = pageUrl.pathname.slice(0, -'/sign-in'.length);
  const finish = pageUrl.searchParams.get('redirect')!;
  const signIn = await fetch(`${base}${api}/api/experience/sign-in/password`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(who),
  });
  expect(signIn.status).toBe(200);
  const { tokens } = (await signIn.json()) as { tokens: { accessToken: string } };
  res = await b.fetch(new URL(finish, base), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ accessToken: tokens.accessToken }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  const { redirectTo } = (await res.json()) as { redirectTo: string };
  return follow(b, base, new URL(redirectTo));
}
