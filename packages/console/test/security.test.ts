import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { newTenant, shot, signIn, startConsoleEnv, withPage, type ConsoleEnv } from './browser.js';

// The Security pages (SPEC §19) and the account-security switches of the sign-in
// experience, in chromium against a real Postern: each setting is made through the page
// and read back from the API, and a bad entry is refused with a sentence beside its field.
describe('console: bot protection, email domain policy, account-security mail', () => {
  let env: ConsoleEnv;
  beforeAll(async () => {
    env = await startConsoleEnv();
  });
  afterAll(async () => {
    await env?.close();
  });

  const api = (tenant: string, method: string, path: string, body?: unknown) => env.postern.api(method, `/t/${tenant}${path}`, body);
  const open = async (page: Page, link: string, heading: string) => {
    const security = page.getByRole('navigation', { name: 'Console' }).getByRole('list', { name: 'Security' });
    await security.getByRole('link', { name: link }).click();
    await page.getByRole('heading', { name: heading }).waitFor();
  };
  const save = (page: Page) => page.getByRole('button', { name: 'Save', exact: true }).click();

  it('sets up hCaptcha and then reCAPTCHA v3: keys required beside their fields, the secret masked and never shown, replaced only when typed', async () => {
    const tenant = await newTenant(env, 'bots');
    const secret = 'hc-secret-0x1234567890abcdefWXYZ';
    await withPage(env, async (page) => {
      await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.url });
      await signIn(env, page, tenant, { stay: true });
      await open(page, 'Bot protection', 'Bot protection');
      const provider = page.getByLabel('Bot check');
      expect(await provider.inputValue()).toBe('none');

      // On without keys: both are asked for, beside their fields; nothing is saved.
      await provider.selectOption({ label: 'hCaptcha' });
      await save(page);

      await page.locator('#bp-site-key-err').getByText("Enter the site key from the provider's dashboard.").waitFor();
      await page.locator('#bp-secret-key-err').getByText("Enter the secret key from the provider's dashboard.").waitFor();
      expect(await page.getByLabel('Site key').getAttribute('aria-invalid')).toBe('true');
      await page.getByRole('alert').getByText("Bot protection with hCaptcha needs a site key and a secret key, both from the provider's dashboard.").waitFor();
      await shot(page, 'security-bot-protection-errors');
      expect((await api(tenant, 'GET', '/api/bot-protection')).body.provider).toBe('none');

      // The host name to register with the provider, copied as shown.
      const host = await page.getByLabel('Host name to allow').inputValue();
      expect(host).toBe(new URL(env.url).hostname);
      await page.getByRole('button', { name: 'Copy the host name' }).click();
      await page.getByRole('button', { name: 'Copy the host name' }).getByText('Copied').waitFor();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(host);

      await page.getByLabel('Site key').fill('10000000-ffff-ffff-ffff-000000000001');
      await page.getByLabel('Secret key').fill(secret);
      await save(page);
      await page.getByText('Saved. Bot protection is on with hCaptcha.').waitFor();
      let got = (await api(tenant, 'GET', '/api/bot-protection')).body;
      expect(got).toMatchObject({ provider: 'hcaptcha', siteKey: '10000000-ffff-ffff-ffff-000000000001', secretKey: '••••WXYZ', verifyUrl: null });
      // The hosted pages now render hCaptcha's widget.
      expect((await env.postern.api('GET', `/t/${tenant}/api/experience/bot-protection`)).body).toMatchObject({ provider: 'hcaptcha', siteKey: '10000000-ffff-ffff-ffff-000000000001' });
      // The secret is gone from the page: an empty box, the masked form in its help.
      expect(await page.getByLabel('Secret key').inputValue()).toBe('');
      await page.getByText('A secret is stored (••••WXYZ).').waitFor();
      expect(await page.content()).not.toContain(secret);
      await shot(page, 'security-bot-protection-saved');

      // After a reload too; changing the site key alone keeps the stored secret.
      await page.reload();
      await page.getByRole('heading', { name: 'Bot protection' }).waitFor();
      expect(await page.getByLabel('Bot check').inputValue()).toBe('hcaptcha');
      expect(await page.getByLabel('Secret key').inputValue()).toBe('');
      await page.getByLabel('Site key').fill('20000000-ffff-ffff-ffff-000000000002');
      await save(page);
      await page.getByText('Saved. Bot protection is on with hCaptcha.').waitFor();
      got = (await api(tenant, 'GET', '/api/bot-protection')).body;
      expect(got).toMatchObject({ provider: 'hcaptcha', siteKey: '20000000-ffff-ffff-ffff-000000000002', secretKey: '••••WXYZ' });

      // Another provider without the secret typed again: refused beside the secret.
      await page.getByLabel('Bot check').selectOption({ label: 'Google reCAPTCHA v3' });
      await page.getByLabel('Site key').fill('6LcRecaptchaSiteKey');
      await save(page);
      await page.locator('#bp-secret-key-err').getByText('Type the secret key again: a stored secret is never sent to a new provider or siteverify address.').waitFor();
      expect((await api(tenant, 'GET', '/api/bot-protection')).body.provider).toBe('hcaptcha');

      // A score out of range is refused beside the score.
      await page.getByLabel('Secret key').fill('6LcRecaptchaSecret-abcd');
      await page.getByLabel('Lowest score accepted').fill('1.5');
      await save(page);
      await page.locator('#bp-score-err').getByText('Enter a number of at most 1.').waitFor();
      expect((await api(tenant, 'GET', '/api/bot-protection')).body.provider).toBe('hcaptcha');

      // A siteverify address that is not http(s): refused beside it.
      await page.getByLabel('Lowest score accepted').fill('0.7');
      await page.getByText('Advanced').click();
      await page.getByLabel('Siteverify address (optional)').fill('ftp://proxy.example.test/siteverify');
      await save(page);
      await page.locator('#bp-verify-url-err').getByText(/Enter an http\(s\) address/).waitFor();

      await page.getByLabel('Siteverify address (optional)').fill('');
      await save(page);
      await page.getByText('Saved. Bot protection is on with Google reCAPTCHA v3.').waitFor();
      got = (await api(tenant, 'GET', '/api/bot-protection')).body;
      expect(got).toEqual({ provider: 'recaptcha', siteKey: '6LcRecaptchaSiteKey', secretKey: '••••abcd', verifyUrl: null, scoreThreshold: 0.7 });

      // Off again: the public pages show no widget.
      await page.getByLabel('Bot check').selectOption({ label: 'Off' });
      await save(page);
      await page.getByText('Saved. Bot protection is off.').waitFor();
      expect((await api(tenant, 'GET', '/api/bot-protection')).body.provider).toBe('none');
      expect((await env.postern.api('GET', `/t/${tenant}/api/experience/bot-protection`)).body).toMatchObject({ provider: 'none', siteKey: null });
    });
  });

  it('sets the email domain policy: an invalid wildcard is refused beside its list, naming the entry; the saved rules refuse a sign-up', async () => {
    const tenant = await newTenant(env, 'domains');
    await withPage(env, async (page) => {
      await signIn(env, page, tenant, { stay: true });
      await open(page, 'Email domain policy', 'Email domain policy');
      expect(await page.getByLabel('Block disposable email domains').isChecked()).toBe(false);
      expect(await page.getByLabel('Block addresses with a +tag').isChecked()).toBe(false);

      await page.getByLabel('Block disposable email domains').check();
      await page.getByLabel('Block addresses with a +tag').check();
      await page.getByLabel('Block list').fill('*.Spam.Example\n*.*.wild.example\nBlocked.test');
      await page.getByLabel('Allow list').fill('ok.spam.example');
      await save(page);
      await page.locator('#ep-block-list-err').getByText('“*.*.wild.example” is not a domain. Write example.com for one domain, or *.example.com for all of its subdomains.').waitFor();
      expect(await page.getByLabel('Block list').getAttribute('aria-invalid')).toBe('true');
      await page.getByRole('alert').getByText('Not saved.').waitFor();
      await shot(page, 'security-email-policy-error');
      expect((await api(tenant, 'GET', '/api/email-policy')).body).toEqual({ blockDisposable: false, blockList: [], allowList: [], blockSubaddressing: false });

      // A bad allow-list entry is shown beside the allow list.
      await page.getByLabel('Block list').fill('*.Spam.Example\nBlocked.test');
      await page.getByLabel('Allow list').fill('ok.spam.example, -bad-.example');
      await save(page);
      await page.locator('#ep-allow-list-err').getByText(/“-bad-\.example” is not a domain/).waitFor();
      expect(await page.locator('#ep-block-list-err').count()).toBe(0);

      await page.getByLabel('Allow list').fill('ok.spam.example');
      await save(page);
      await page.getByText(/^Saved\./).waitFor();
      expect((await api(tenant, 'GET', '/api/email-policy')).body).toEqual({
        blockDisposable: true,
        blockList: ['*.spam.example', 'blocked.test'],
        allowList: ['ok.spam.example'],
        blockSubaddressing: true,
      });
      // The page shows the rules as stored (lower case).
      expect(await page.getByLabel('Block list').inputValue()).toBe('*.spam.example\nblocked.test');

      // The policy in force: blocked, disposable and +tag addresses are refused, the allowed one is not.
      for (const [email, reason] of [
        ['a@blocked.test', 'block_list'],
        ['a@x.spam.example', 'block_list'],
        ['a@mailinator.com', 'disposable'],
        ['a+tag@example.com', 'subaddressing'],
      ] as const) {
        const r = await api(tenant, 'POST', '/api/users', { email });
        expect(r.status, email).toBe(422);
        expect(r.body).toMatchObject({ code: 'email.blocked', details: { reason } });
      }
      expect((await api(tenant, 'POST', '/api/users', { email: 'a+tag@ok.spam.example' })).status).toBe(201);

      // Emptied again through the page.
      await page.getByLabel('Block disposable email domains').uncheck();
      await page.getByLabel('Block addresses with a +tag').uncheck();
      await page.getByLabel('Block list').fill('');
      await page.getByLabel('Allow list').fill('');
      await save(page);
      await page.getByText(/^Saved\./).waitFor();
      expect((await api(tenant, 'GET', '/api/email-policy')).body).toEqual({ blockDisposable: false, blockList: [], allowList: [], blockSubaddressing: false });
    });
  });

  it('switches account-security mail, the email-change confirmation and unknown-recipient notices in the sign-in experience', async () => {
    const tenant = await newTenant(env, 'notices');
    await withPage(env, async (page) => {
      await signIn(env, page, tenant, { stay: true });
      await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Sign-in experience' }).click();
      await page.getByRole('heading', { name: 'Sign-in experience' }).waitFor();
      const box = (label: string) => page.getByLabel(label, { exact: true });
      expect(await box('Password changed').isChecked()).toBe(true);
      expect(await box('Sign-in from a new device').isChecked()).toBe(false);
      expect(await box('Confirm an email change at the current address too').isChecked()).toBe(true);
      expect(await box('Tell unknown addresses that someone tried to sign in').isChecked()).toBe(false);

      await box('Password changed').uncheck();
      await box('Sign-in from a new device').check();
      await box('Confirm an email change at the current address too').uncheck();
      await box('Tell unknown addresses that someone tried to sign in').check();
      await save(page);
      await page.getByText('Saved.', { exact: true }).waitFor();
      await shot(page, 'security-sign-in-experience-notices');
      const x = (await api(tenant, 'GET', '/api/sign-in-experience')).body;
      expect(x.notifications).toEqual({ passwordChanged: false, emailChanged: true, mfaChanged: true, newSignIn: true });
      expect(x.emailChange).toEqual({ confirmOld: false });
      expect(x.notifyUnknownRecipients).toBe(true);

      // What was saved is what the page shows after a reload.
      await page.reload();
      await page.getByRole('heading', { name: 'Sign-in experience' }).waitFor();
      expect(await box('Password changed').isChecked()).toBe(false);
      expect(await box('Tell unknown addresses that someone tried to sign in').isChecked()).toBe(true);
    });
  });
});
