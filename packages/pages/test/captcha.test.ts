import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { mailTo, withPage, type ConsoleEnv } from '../../console/test/browser.js';
import { startPostern } from '../../server/test/helpers.js';
import { freePort } from '../../server/test/oidc/flow.js';
import { startCaptchaPeer, type CaptchaPeer } from '../../server/src/testing/peers/captcha.js';

// Bot protection in the hosted pages (SPEC §19): the widget scripts come from a local fake
// (POSTERN_CAPTCHA_WIDGET_ORIGIN), siteverify is the same local peer, and the page's CSP must
// let the widget's script and frame in.
let env: ConsoleEnv;
let base: string;
let peer: CaptchaPeer;

beforeAll(async () => {
  peer = await startCaptchaPeer();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const postern = await startPostern('sqlite', {
    POSTERN_PUBLIC_URL: base,
    POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32',
    POSTERN_CAPTCHA_WIDGET_ORIGIN: peer.origin,
  });
  let browser: Browser | undefined;
  try {
    await postern.app.listen({ port, host: '127.0.0.1' });
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-sync', '--no-first-run'],
    });
    const b = browser;
    env = { postern, url: base, browser: b, close: async () => (await b.close(), await postern.close()) } as ConsoleEnv;
    expect((await postern.api('PATCH', '/api/verification-code-policy', { resendCooldownSeconds: 0 })).status).toBe(200);
  } catch (e) {
    await browser?.close();
    await postern.close();
    throw e;
  }
});
afterAll(async () => {
  await env?.close();
  await peer?.close();
});

describe('the bot check in the hosted pages', () => {
  it('without protection no widget loads', async () => {
    await withPage(env, async (page) => {
      await page.goto(`${base}/register`);
      await page.getByLabel('Email address').fill('plain@example.com');
      await page.getByRole('button', { name: 'Send code' }).click();
      await page.getByLabel('Verification code').waitFor();
      expect(await page.locator('iframe').count()).toBe(0);
    });
    expect(peer.widgetRequests).toEqual([]);
  }, 60_000);

  it('turnstile: sign-up sends a code only with a solved widget, and a resend needs it solved again', async () => {
    const r = await env.postern.api('PATCH', '/api/bot-protection', { provider: 'turnstile', siteKey: peer.siteKey, secretKey: peer.secret, verifyUrl: peer.url('turnstile') });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const email = 'human@example.com';
    await withPage(env, async (page) => {
      await page.goto(`${base}/register`);
      const widget = page.frameLocator('iframe[title="Bot check"]');
      await widget.getByRole('button', { name: 'I am human' }).waitFor();
      await page.getByLabel('Email address').fill(email);
      // Unsolved: the server refuses, the page says why.
      await page.getByRole('button', { name: 'Send code' }).click();
      await page.getByRole('alert').getByText('Complete the security check below first.').waitFor();
      await widget.getByRole('button', { name: 'I am human' }).click();
      await page.getByRole('button', { name: 'Send code' }).click();
      await page.getByLabel('Verification code').waitFor();
      expect((await mailTo(env, 'default', email, 1)).length).toBe(1);
      // The token was spent: the widget is fresh again for the resend.
      await widget.getByRole('button', { name: 'I am human' }).click();
      await page.getByRole('button', { name: 'Send a new code' }).click();
      await page.getByText(`A new code is on its way to ${email}.`).waitFor();
    });
    expect((await mailTo(env, 'default', email, 2)).length).toBe(2);
    expect(peer.widgetRequests).toContain('/turnstile/v0/api.js');
    expect(peer.received.filter((x) => x.provider === 'turnstile' && x.secretMatched).length).toBe(2);
  }, 60_000);
});
