import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { spaSnippet } from '../src/applications/snippets.js';
import { startPostern, type TestPostern } from '../../server/test/helpers.js';
import { freePort } from '../../server/test/oidc/flow.js';

// The browser SPA snippet of the Applications page, served as it is from the application's
// own origin: chromium signs in through the hosted pages, and the snippet's token request
// (a CORS request from the registered origin) and userinfo call succeed. From an origin
// that is not registered, the same page cannot read the token answer.
let p: TestPostern;
let browser: Browser;
let base: string;
const servers: Server[] = [];
const who = { email: 'spa.user@example.test', password: 'spa password 123' };

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  p = await startPostern('sqlite', { POSTERN_PUBLIC_URL: base });
  await p.app.listen({ port, host: '127.0.0.1' });
  expect((await p.api('POST', '/api/users', who)).status).toBe(201);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
});
afterAll(async () => {
  await browser?.close();
  for (const s of servers) s.close();
  await p?.close();
});

/** The snippet as the whole page of a static site on its own port (`/` and `/callback`). */
async function serveSpa(register: boolean): Promise<string> {
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  const reg = await p.api('POST', '/api/applications', {
    name: 'SPA',
    type: 'spa',
    redirectUris: [`${origin}/callback`],
    corsOrigins: register ? [origin] : [],
  });
  expect(reg.status).toBe(201);
  const html = `<!doctype html><meta charset="utf-8"><title>SPA</title>${spaSnippet({
    issuer: `${base}/oidc`,
    clientId: reg.body.clientId,
    redirectUri: `${origin}/callback`,
  })}`;
  const s = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
  servers.push(s);
  await new Promise<void>((r) => s.listen(port, '127.0.0.1', r));
  return origin;
}

async function signInFrom(origin: string): Promise<{ who: string; errors: string[] }> {
  const context = await browser.newContext();
  // Generous: the first authorization loads oidc-provider on first use, and the whole suite shares two cores.
  context.setDefaultTimeout(40_000);
  const errors: string[] = [];
  try {
    const page = await context.newPage();
    const failed = new Promise<void>((resolve) => {
      page.on('pageerror', (e) => (errors.push(e.message), resolve()));
      page.on('console', (m) => m.type() === 'error' && (errors.push(m.text()), resolve()));
    });
    await page.goto(`${origin}/`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Email address').fill(who.email);
    await page.getByLabel('Password', { exact: true }).fill(who.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${origin}/callback**`);
    // Either the snippet shows who signed in, or the page reports why it could not.
    await Promise.race([page.getByText(/^Signed in as /).waitFor(), failed]);
    return { who: (await page.locator('#who').textContent()) ?? '', errors };
  } finally {
    await context.close();
  }
}

describe('the browser SPA snippet', () => {
  it('signs in from a registered origin: code + PKCE, token over CORS, userinfo', async () => {
    const r = await signInFrom(await serveSpa(true));
    expect(r.errors).toEqual([]);
    expect(r.who).toBe(`Signed in as ${who.email}`);
  }, 120_000);

  it('cannot read the token answer from an origin no application registered', async () => {
    const r = await signInFrom(await serveSpa(false));
    expect(r.who).toBe('');
    expect(r.errors.join('\n')).toMatch(/CORS|Failed to fetch/);
  }, 120_000);
});
