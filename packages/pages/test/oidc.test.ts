import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import * as client from 'openid-client';
import { codeFor, mailTo, withPage, type ConsoleEnv } from '../../console/test/browser.js';
import { startPostern } from '../../server/test/helpers.js';
import { freePort } from '../../server/test/oidc/flow.js';

// A real browser signs up through an application's OpenID request: the hosted pages are the
// provider's sign-in UI (the applications' redirect URIs are paths on the test server, which
// answers 404 there: only the URL the browser lands on matters); the code is read from the mailbox; a second application is silent.
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
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    const b = browser;
    env = { postern, url: base, browser: b, close: async () => (await b.close(), await postern.close()) } as ConsoleEnv;
  } catch (e) {
    await browser?.close();
    await postern.close();
    throw e;
  }
});
afterAll(async () => {
  await env?.close();
});

const app = async (name: string, redirect: string) => {
  const r = await env.postern.api('POST', '/api/applications', { name, type: 'spa', redirectUris: [redirect] });
  expect(r.status).toBe(201);
  return client.discovery(
    new URL(`${base}/oidc`),
    (r.body as { clientId: string }).clientId,
    undefined,
    client.None(),
    { execute: [client.allowInsecureRequests] },
  );
};

describe('OpenID sign-in through the hosted pages', () => {
  it('signs up with an emailed code (prompt=create, login_hint), returns a code to the app, and a second app is silent', async () => {
    const first = await app('First', `${base}/app-one/cb`);
    const second = await app('Second', `${base}/app-two/cb`);
    const email = 'oidc.browser@example.com';
    await withPage(env, async (page) => {
      const v1 = client.randomPKCECodeVerifier();
      const url1 = client.buildAuthorizationUrl(first, {
        redirect_uri: `${base}/app-one/cb`,
        scope: 'openid email',
        code_challenge: await client.calculatePKCECodeChallenge(v1),
        code_challenge_method: 'S256',
        prompt: 'create',
        login_hint: email,
        state: 'one',
      });
      await page.goto(url1.href);
      await page.getByRole('heading', { name: 'Create an account' }).waitFor();
      expect(await page.getByLabel('Email address').inputValue()).toBe(email);
      await page.getByRole('button', { name: 'Send code' }).click();
      await page.getByLabel('Verification code').waitFor();
      await page.getByLabel('Verification code').fill(await codeFor(env, 'default', email, 1));
      // The email names the application that asked (the `application` template variable).
      expect((await mailTo(env, 'default', email, 1))[0]!.subject).toContain('First');
      await page.getByLabel('Password', { exact: true }).fill('a long enough password');
      await page.getByRole('button', { name: 'Create an account' }).click();
      await page.waitForURL(/\/app-one\/cb\?/);
      const cb1 = new URL(page.url());
      expect(cb1.searchParams.get('state')).toBe('one');
      const t1 = await client.authorizationCodeGrant(first, cb1, { pkceCodeVerifier: v1, expectedState: 'one' });
      expect((await client.fetchUserInfo(first, t1.access_token, t1.claims()!.sub)).email).toBe(email);

      const v2 = client.randomPKCECodeVerifier();
      const url2 = client.buildAuthorizationUrl(second, {
        redirect_uri: `${base}/app-two/cb`,
        scope: 'openid',
        code_challenge: await client.calculatePKCECodeChallenge(v2),
        code_challenge_method: 'S256',
        state: 'two',
      });
      await page.goto(url2.href);
      await page.waitForURL(/\/app-two\/cb\?/);
      const t2 = await client.authorizationCodeGrant(second, new URL(page.url()), {
        pkceCodeVerifier: v2,
        expectedState: 'two',
      });
      expect(t2.claims()!.sub).toBe(t1.claims()!.sub);
      expect((await mailTo(env, 'default', email, 1)).length).toBe(1);
    });
  }, 60_000);

  it('shows the pages and sends the email in the language ui_locales asks for', async () => {
    const third = await app('Lumen', `${base}/app-three/cb`);
    const email = 'oidc.locale@example.com';
    await withPage(env, async (page) => {
      const v = client.randomPKCECodeVerifier();
      const url = client.buildAuthorizationUrl(third, {
        redirect_uri: `${base}/app-three/cb`,
        scope: 'openid',
        code_challenge: await client.calculatePKCECodeChallenge(v),
        code_challenge_method: 'S256',
        prompt: 'create',
        login_hint: email,
        ui_locales: 'th-TH en',
      });
      await page.goto(url.href);
      await page.getByRole('heading', { name: 'สร้างบัญชี' }).waitFor();
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('th');
      await page.getByRole('button', { name: 'ส่งรหัส' }).click();
      const [mail] = await mailTo(env, 'default', email, 1);
      expect(mail!.subject).toBe('ยืนยันอีเมลของคุณสำหรับ Lumen');
    });
  }, 60_000);
});
