import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import * as client from 'openid-client';
import { mailTo, shot, withPage, type ConsoleEnv } from '../../console/test/browser.js';
import { startPostern } from '../../server/test/helpers.js';
import { freePort } from '../../server/test/oidc/flow.js';

// Magic links (SPEC §19) in a real browser: the sign-in page's "Email me a sign-in link", a
// link scanner that fetches the link first (and burns nothing), the confirmation page's
// "Sign in" in another browser; and a link asked for inside an OpenID request, which
// finishes that request. Mail is read from the built-in service's mailbox.
let env: ConsoleEnv;
let base: string;

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const postern = await startPostern('sqlite', { POSTERN_PUBLIC_URL: base });
  let browser: Browser | undefined;
  try {
    await postern.app.listen({ port, host: '127.0.0.1' });
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-sync', '--no-first-run'],
    });
    const b = browser;
    env = { postern, url: base, browser: b, close: async () => (await b.close(), await postern.close()) } as ConsoleEnv;
    const x = await postern.api('PATCH', '/api/sign-in-experience', { signIn: { methods: [{ identifier: 'email', password: true, verificationCode: true, magicLink: true }] } });
    expect(x.status, JSON.stringify(x.body)).toBe(200);
  } catch (e) {
    await browser?.close();
    await postern.close();
    throw e;
  }
});
afterAll(async () => {
  await env?.close();
});

const linkIn = async (email: string, n = 1): Promise<string> => {
  const mail = (await mailTo(env, 'default', email, n))[n - 1]!;
  const m = /(http:\/\/127\.0\.0\.1:\d+\/magic-link\/[\w.-]+)/.exec(mail.text);
  expect(m, 'a link in the message').not.toBeNull();
  return m![1]!;
};

describe('magic links in the hosted pages', () => {
  it('a scanner opens the link first and burns nothing; the person signs in on another device, once', async () => {
    const email = 'link.walk@example.com';
    expect((await env.postern.api('POST', '/api/users', { email, password: 'a long enough password' })).status).toBe(201);
    await withPage(env, async (page) => {
      await page.goto(`${base}/sign-in`);
      await page.getByLabel('Email address').fill(email);
      await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
      await page.getByRole('button', { name: 'Send link' }).click();
      await page.getByRole('heading', { name: 'Check your email' }).waitFor();
      // The code from the same email is the fallback, on this page.
      await page.getByLabel('Verification code').waitFor();
      await shot(page, 'hosted-magic-link-sent');
    });
    const link = await linkIn(email);

    // A mail scanner: GET and HEAD, as it fetches every link.
    expect((await fetch(link)).status).toBe(200);
    expect((await fetch(link, { method: 'HEAD' })).status).toBe(200);

    await withPage(env, async (page) => {
      await page.goto(link);
      await page.getByRole('heading', { name: 'Finish signing in' }).waitFor();
      await shot(page, 'hosted-magic-link-confirm');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('heading', { name: 'Your account' }).waitFor();
      await page.getByText(email).first().waitFor();
    });

    // Used: the page answers that the link is no longer valid.
    await withPage(env, async (page) => {
      await page.goto(link);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('alert').getByText('This link was already used, or a newer one replaced it.', { exact: false }).waitFor();
    });
  }, 60_000);

  it('a link asked for inside an OpenID request finishes that request', async () => {
    const email = 'link.oidc@example.com';
    expect((await env.postern.api('POST', '/api/users', { email })).status).toBe(201);
    const r = await env.postern.api('POST', '/api/applications', { name: 'Linked', type: 'spa', redirectUris: [`${base}/app-link/cb`] });
    expect(r.status).toBe(201);
    const config = await client.discovery(new URL(`${base}/oidc`), (r.body as { clientId: string }).clientId, undefined, client.None(), { execute: [client.allowInsecureRequests] });
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: `${base}/app-link/cb`,
      scope: 'openid email',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      login_hint: email,
      state: 'linked',
    });
    await withPage(env, async (page) => {
      await page.goto(url.href);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
      await page.getByRole('button', { name: 'Send link' }).click();
      await page.getByRole('heading', { name: 'Check your email' }).waitFor();
      // The person opens the email in the same browser: a new tab.
      const tab = await page.context().newPage();
      await tab.goto(await linkIn(email));
      await tab.getByRole('button', { name: 'Sign in', exact: true }).click();
      await tab.waitForURL(/\/app-link\/cb\?/);
      const cb = new URL(tab.url());
      expect(cb.searchParams.get('state')).toBe('linked');
      const tokens = await client.authorizationCodeGrant(config, cb, { pkceCodeVerifier: verifier, expectedState: 'linked' });
      expect((await client.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub)).email).toBe(email);
    });
  }, 60_000);
});
