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

  /** The messages captured for `to` right now (the default tenant mails into its mailbox). */
  const mailCount = async (to: string) => ((await env.postern.api('GET', '/api/mailbox?limit=200')).body.items as { to: string }[]).filter((m) => m.to === to).length;

  it('hCaptcha: password reset sends only with a solved widget, checked with the site key; known and unknown addresses read the same', async () => {
    const r = await env.postern.api('PATCH', '/api/bot-protection', { provider: 'hcaptcha', siteKey: peer.siteKey, secretKey: peer.secret, verifyUrl: peer.url('hcaptcha') });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const known = 'reset-me@example.com';
    const unknown = 'nobody-here@example.com';
    expect((await env.postern.api('POST', '/api/users', { email: known, password: 'a long password 1' })).status).toBe(201);
    const before = peer.received.length;
    const lines: string[] = [];
    for (const email of [unknown, known]) {
      await withPage(env, async (page) => {
        await page.goto(`${base}/forgot-password`);
        const widget = page.frameLocator('iframe[title="Bot check"]');
        await widget.getByRole('button', { name: 'I am human' }).waitFor();
        await page.getByLabel('Email address').fill(email);
        await page.getByRole('button', { name: 'Send code' }).click();
        await page.getByRole('alert').getByText('Complete the security check below first.').waitFor();
        expect(peer.received.length).toBe(before + lines.length);
        await widget.getByRole('button', { name: 'I am human' }).click();
        await page.getByRole('button', { name: 'Send code' }).click();
        const status = page.getByRole('status').filter({ hasText: email });
        await status.waitFor();
        lines.push(((await status.textContent()) ?? '').replace(email, '<email>'));
      });
    }
    // The same sentence for both; only the account's address gets mail.
    expect(lines[0]).toBe('If <email> has an account, a code is on its way.');
    expect(lines[1]).toBe(lines[0]);
    const [mail] = await mailTo(env, 'default', known, 1);
    expect(mail!.subject).toMatch(/password/i);
    expect(await mailCount(unknown)).toBe(0);
    // Each send was checked with hCaptcha's siteverify: the secret, and the site key the widget ran with.
    const checks = peer.received.slice(before);
    expect(checks).toHaveLength(2);
    for (const c of checks) expect(c).toMatchObject({ provider: 'hcaptcha', secretMatched: true, sitekey: peer.siteKey, contentType: 'application/x-www-form-urlencoded' });
    expect(peer.widgetRequests).toContain('/1/api.js');
  }, 60_000);

  it('reCAPTCHA v3: no widget to solve, each send executes the send_code action; a score under the threshold is refused and sends nothing', async () => {
    const r = await env.postern.api('PATCH', '/api/bot-protection', { provider: 'recaptcha', siteKey: peer.siteKey, secretKey: peer.secret, verifyUrl: peer.url('recaptcha'), scoreThreshold: 0.5 });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const email = 'scored@example.com';
    const before = peer.received.length;
    await withPage(env, async (page) => {
      await page.goto(`${base}/register`);
      await page.getByLabel('Email address').fill(email);
      await page.getByRole('button', { name: 'Send code' }).click();
      await page.getByLabel('Verification code').waitFor();
      // v3 is invisible: nothing to click, no visible frame.
      expect(await page.locator('iframe[title="Bot check"]').count()).toBe(0);
      expect(await page.locator('iframe:visible').count()).toBe(0);
      // A resend executes the action again (the token of the first send verified once).
      await page.getByRole('button', { name: 'Send a new code' }).click();
      await page.getByText(`A new code is on its way to ${email}.`).waitFor();
    });
    expect((await mailTo(env, 'default', email, 2)).length).toBe(2);
    expect(peer.received.slice(before).map((x) => [x.provider, x.secretMatched])).toEqual([
      ['recaptcha', true],
      ['recaptcha', true],
    ]);
    expect(peer.widgetRequests).toContain('/recaptcha/api.js');

    // The fake scores every browser 0.9: above 0.95 is needed now, so the send is refused.
    expect((await env.postern.api('PATCH', '/api/bot-protection', { scoreThreshold: 0.95 })).status).toBe(200);
    const bot = 'low-score@example.com';
    await withPage(env, async (page) => {
      await page.goto(`${base}/register`);
      await page.getByLabel('Email address').fill(bot);
      await page.getByRole('button', { name: 'Send code' }).click();
      await page.getByRole('alert').getByText('The security check failed. Complete it again.').waitFor();
      expect(await page.getByLabel('Verification code').count()).toBe(0);
    });
    expect(peer.received.at(-1)).toMatchObject({ provider: 'recaptcha', secretMatched: true });
    expect(await mailCount(bot)).toBe(0);
    expect((await env.postern.api('PATCH', '/api/bot-protection', { provider: 'none' })).status).toBe(200);
  }, 60_000);
});
