import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Page } from 'playwright-core';
import { startSmtpPeer, type SmtpPeer } from '../../server/src/testing/peers/smtp.js';
import { newTenant, shot, signIn, startConsoleEnv, withPage, type ConsoleEnv } from './browser.js';

// The console, built by `npm run build -w packages/console`, against a real Postern and a
// real SMTP server, in chromium. Every test works on its own tenant and browser context.
let env: ConsoleEnv;
let smtp: SmtpPeer;

beforeAll(async () => {
  smtp = await startSmtpPeer({ rejectRecipients: ['blocked@example.com'] });
  try {
    env = await startConsoleEnv({ POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32' });
  } catch (e) {
    await smtp.close();
    throw e;
  }
});

afterAll(async () => {
  await env?.close();
  await smtp?.close();
});

const text = async (page: Page, selector: string) => (await page.locator(selector).innerText()).replace(/\s+/g, ' ');

describe('console', () => {
  it('signs in with the admin key, and refuses a wrong one', async () => {
    const tenant = await newTenant(env, 'signin');
    await withPage(env, async (page) => {
      await page.goto(`${env.url}/console/`);
      await shot(page, '01-sign-in');
      await page.getByLabel('Admin key').fill('pk_not-a-real-key');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').getByText('That admin key is not valid.').waitFor();

      await page.getByLabel('Admin key').fill(env.postern.adminKey);
      await page.getByLabel('Tenant', { exact: true }).fill(tenant);
      await page.getByRole('button', { name: 'Sign in' }).click();
      // The console opens on Getting started, read from the tenant's real state.
      await page.getByRole('heading', { name: 'Getting started' }).waitFor();
      const step = (title: string) => page.locator('.checklist li', { hasText: title });
      expect(await step('Set an email connector').locator('.chip').innerText()).toBe('Done');
      expect(await step('Set an email connector').innerText()).toContain('Built-in email service');
      expect(await step('Send a test email').locator('.chip').innerText()).toBe('To do');
      expect(await step('First sign-up').locator('.chip').innerText()).toBe('To do');
      // The tenant's hosted pages, each with its address to copy.
      const signInUrl = `${env.url}/t/${tenant}/sign-in`;
      expect(await page.getByRole('link', { name: 'Sign-in page' }).getAttribute('href')).toBe(signInUrl);
      await page.getByRole('button', { name: 'Copy the sign-in page address' }).waitFor();
      await shot(page, '01b-getting-started');
      await page.getByRole('link', { name: 'Connectors' }).first().click();
      await page.getByRole('heading', { name: 'Email connector' }).waitFor();
      // A new tenant starts with the built-in service; a system key gets the tenant switcher.
      await page.getByRole('heading', { name: 'Built-in email service' }).waitFor();
      expect(await page.locator('#tenant-switch').inputValue()).toBe(tenant);
      await page.locator('#tenant-switch option[value="default"]').waitFor({ state: 'attached' });
      expect(await page.evaluate(() => sessionStorage.getItem('postern.adminKey'))).toBe(env.postern.adminKey);
      await shot(page, '02-connectors');

      // Every page of the navigation is real now: no "coming soon" entries.
      expect(await page.getByText('Coming soon').count()).toBe(0);
    });
  });

  it('signs in with a tenant-bound key by keyboard, without the tenant switcher', async () => {
    const tenant = await newTenant(env, 'bound');
    const made = await env.postern.api('POST', `/t/${tenant}/api/admin-keys`, { name: 'bound key' });
    expect(made.status).toBe(201);
    await withPage(env, async (page) => {
      await page.goto(`${env.url}/console/`);
      // The key field takes the focus on its own.
      await page.waitForFunction(() => document.activeElement?.id === 'admin-key');
      await page.keyboard.type(made.body.key);
      await page.keyboard.press('Enter');
      // On the default tenant the key is refused with a hint to give its tenant.
      await page.getByRole('alert').getByText('This key belongs to another tenant').waitFor();
      await page.getByLabel('Tenant', { exact: true }).focus();
      await page.keyboard.press('ControlOrMeta+a');
      await page.keyboard.type(tenant);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Getting started' }).waitFor();
      await page.getByRole('link', { name: 'Connectors' }).first().click();
      await page.getByRole('heading', { name: 'Built-in email service' }).waitFor();
      expect(await page.locator('#tenant-switch').count()).toBe(0);
      expect(await text(page, '.topbar')).toContain(`Tenant ${tenant}`);
      await page.getByRole('link', { name: 'Tenant settings' }).click();
      await page.getByRole('heading', { name: 'Admin keys' }).waitFor();
      expect(await page.getByRole('heading', { name: 'Create a tenant' }).count()).toBe(0);
      await page.getByRole('cell', { name: 'bound key' }).waitFor();
    });
  });

  it('sets up SMTP: inline field errors, a rejected test, a delivered test, Save and Done', async () => {
    const tenant = await newTenant(env, 'smtp-setup');
    await withPage(env, async (page) => {
      await signIn(env, page, tenant);
      await page.getByRole('button', { name: 'Change email connector' }).click();
      await page.getByRole('heading', { name: 'Choose an email provider' }).waitFor();
      await shot(page, '04-provider-picker');
      // Logos are images from data: URLs, never inline markup.
      const logo = page.getByRole('img', { name: 'SMTP logo' });
      expect(await logo.getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
      expect(await logo.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
      await page.getByRole('button', { name: /^SMTP/ }).click();
      await page.getByRole('heading', { name: 'Set up SMTP' }).waitFor();

      // The README beside the form; the schema's default port is prefilled.
      expect(await page.locator('.readme').innerText()).toMatch(/SMTP/);
      expect(await page.getByLabel('Port').inputValue()).toBe('587');
      // Safe defaults: STARTTLS required on 587; port 465 switches to implicit TLS, and back.
      const requireTls = page.getByLabel('Require STARTTLS');
      const implicitTls = page.getByLabel('Implicit TLS (secure)');
      expect(await requireTls.isChecked()).toBe(true);
      expect(await implicitTls.isChecked()).toBe(false);
      await page.getByLabel('Port').fill('465');
      expect(await implicitTls.isChecked()).toBe(true);
      expect(await requireTls.isChecked()).toBe(false);
      await page.getByLabel('Port').fill('587');
      expect(await requireTls.isChecked()).toBe(true);
      expect(await implicitTls.isChecked()).toBe(false);
      // A password with neither TLS mode on is warned about.
      await page.getByLabel('Type', { exact: true }).selectOption({ label: 'Login' });
      await page.getByLabel(/^Password/).fill('s3cret-pass');
      expect(await page.getByText('the password can travel in clear text').count()).toBe(0);
      await requireTls.uncheck();
      await page.getByText('the password can travel in clear text', { exact: false }).waitFor();
      await shot(page, '04b-smtp-tls-warning');
      await page.getByLabel('Type', { exact: true }).selectOption({ label: 'None' });
      // The DKIM key is picked from the tenant's keys, not typed.
      await page.getByText('DKIM signing').click();
      expect(await page.getByLabel('DKIM key').evaluate((el) => el.tagName)).toBe('SELECT');
      await page.getByText('DKIM signing').click();
      // The local peer speaks plain SMTP, without STARTTLS.
      await page.getByLabel('Host').fill('127.0.0.1');
      await page.getByLabel('Port').fill(String(smtp.port));
      await page.getByLabel('Send to').fill('ok@example.com');
      await page.getByRole('button', { name: 'Send test email' }).click();
      // fromEmail is missing: the API's issue path config.fromEmail lands on its field.
      const fromError = page.locator('.field.invalid', { has: page.getByLabel('From email') }).locator('.field-error');
      await fromError.waitFor();
      expect(await fromError.innerText()).toContain('This field is required.');
      expect(await page.getByLabel('From email').getAttribute('aria-invalid')).toBe('true');
      // The banner is a sentence: no schema path, no validator words, no repeat of the field's issue.
      const invalid = page.getByRole('alert').filter({ hasText: 'The test email was not sent.' });
      expect(await invalid.innerText()).toMatch(/configuration is invalid: (one value needs|\d+ values need) correcting\./);
      expect(await invalid.innerText()).not.toMatch(/config\.|Invalid input|expected string|This field is required/);
      await shot(page, '05-smtp-field-error');

      await page.getByLabel('From email').fill('auth@example.com');
      await page.getByLabel('From name').fill('Example Sign-in');
      await page.getByLabel('Send to').fill('blocked@example.com');
      await page.getByRole('button', { name: 'Send test email' }).click();
      const failure = page.getByRole('alert').filter({ hasText: 'The test email was not sent.' });
      await failure.waitFor();
      // The banner says the API's sentence; the code stays out of the text.
      expect(await failure.getAttribute('data-code')).toBe('connector.rejected_recipient');
      expect(await failure.innerText()).not.toContain('connector.');
      expect(await failure.innerText()).toMatch(/Provider said: .*550|Mailbox unavailable/);
      expect(await page.locator('.field-error').count()).toBe(0);
      await shot(page, '06-smtp-test-rejected');

      await page.getByLabel('Send to').fill('ok@example.com');
      await page.getByRole('button', { name: 'Send test email' }).click();
      const success = page.getByRole('status').filter({ hasText: 'Test email sent to ok@example.com.' });
      await success.waitFor();
      expect(await success.innerText()).toMatch(/Attempts\s*1/);
      expect(await success.innerText()).toMatch(/Duration\s*\d+ ms/);
      const delivered = smtp.messages.filter((m) => m.to.includes('ok@example.com'));
      expect(delivered).toHaveLength(1);
      expect(delivered[0]!.from).toBe('auth@example.com');
      await shot(page, '07-smtp-test-sent');

      await page.getByRole('button', { name: 'Save and Done' }).click();
      await page.getByText('SMTP is now the email connector.').waitFor();
      await page.getByRole('heading', { name: 'SMTP', exact: true }).waitFor();
      expect(await text(page, '.config-list')).toContain(String(smtp.port));
      await shot(page, '08-smtp-saved');
      // Getting started now reads the delivered test message of the saved connector.
      await page.getByRole('link', { name: 'Getting started' }).click();
      const tested = page.locator('.checklist li', { hasText: 'Send a test email' });
      await tested.getByText('Done').waitFor();
      expect(await tested.innerText()).toContain('delivered one message');
      expect(await page.locator('.checklist li', { hasText: 'Check the sender domain' }).getByRole('button', { name: 'Check example.com now' }).count()).toBe(1);
    });
    const saved = await env.postern.api('GET', `/t/${tenant}/api/connectors`);
    expect(saved.body.items[0]).toMatchObject({ factoryId: 'smtp', config: { host: '127.0.0.1', port: smtp.port, fromEmail: 'auth@example.com', fromName: 'Example Sign-in' } });
  });

  it('changes the email connector, keeping a saved secret that is left alone', async () => {
    const tenant = await newTenant(env, 'smtp-change');
    const put = await env.postern.api('PUT', `/t/${tenant}/api/connectors/email`, {
      factoryId: 'smtp',
      config: { host: '127.0.0.1', port: smtp.port, fromEmail: 'old@example.com', auth: { type: 'login', user: 'mailer', pass: 'correct-horse-battery' } },
    });
    expect(put.status).toBe(200);
    await withPage(env, async (page) => {
      await signIn(env, page, tenant);
      // The masked secret is shown, never the secret itself.
      expect(await text(page, '.config-list')).toContain('••••tery');
      expect(await page.content()).not.toContain('correct-horse-battery');
      await page.getByRole('button', { name: 'Change email connector' }).click();
      await page.getByRole('button', { name: /^SMTP/ }).click();
      await page.getByRole('heading', { name: 'Change SMTP settings' }).waitFor();
      expect(await page.getByLabel('Host').inputValue()).toBe('127.0.0.1');
      expect(await page.getByLabel('Type').inputValue()).toBe('1');
      const pass = page.getByLabel(/^Password/);
      expect(await pass.getAttribute('type')).toBe('password');
      expect(await pass.inputValue()).toBe('');
      expect(await pass.getAttribute('placeholder')).toContain('••••tery');
      // Moving the connector elsewhere asks for the secret again; moving back keeps it.
      const port = await page.getByLabel('Port').inputValue();
      await page.getByLabel('Port').fill('2525');
      await page.getByText('You changed port: enter this secret again.', { exact: false }).waitFor();
      await page.getByLabel('Port').fill(port);
      await page.getByText('The saved secret (••••tery) is kept unless you type a new one.').waitFor();
      await page.getByLabel('From email').fill('new@example.com');
      await shot(page, '09-smtp-change');
      await page.getByRole('button', { name: 'Save and Done' }).click();
      await page.getByText('SMTP is now the email connector.').waitFor();
      // The masked value went back unchanged, so the stored password is the old one.
      const stored = await env.postern.services.stores.connectors.getEmailConnector(tenant);
      expect(stored?.config).toMatchObject({ fromEmail: 'new@example.com', auth: { type: 'login', user: 'mailer', pass: 'correct-horse-battery' } });

      // Then change to another provider altogether.
      await page.getByRole('button', { name: 'Change email connector' }).click();
      await page.getByRole('button', { name: /^Built-in email service/ }).click();
      await page.getByText('Saving replaces the current email connector (smtp).').waitFor();
      await page.getByLabel('Sender name').fill('Acme');
      await page.getByRole('button', { name: 'Save and Done' }).click();
      await page.getByText('Built-in email service is now the email connector.').waitFor();
    });
    const after = await env.postern.api('GET', `/t/${tenant}/api/connectors`);
    expect(after.body.items[0]).toMatchObject({ factoryId: 'builtin', config: { senderName: 'Acme' } });
  });

  it('generates the HTTP connector’s signing secret, shown with Reveal and Copy until saved, then only masked', async () => {
    const tenant = await newTenant(env, 'http-secret');
    await withPage(env, async (page) => {
      await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.url });
      await signIn(env, page, tenant);
      await page.getByRole('button', { name: 'Change email connector' }).click();
      await page.getByRole('button', { name: /^HTTP/ }).click();
      await page.getByRole('heading', { name: /Set up HTTP/ }).waitFor();
      const secret = page.getByLabel(/^Signing secret/);
      await page.getByRole('button', { name: 'Generate' }).click();
      // Generated: shown in clear once, with a note to keep it, and copyable.
      expect(await secret.getAttribute('type')).toBe('text');
      const value = await secret.inputValue();
      expect(value).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
      await page.getByText('Copy this secret now', { exact: false }).waitFor();
      await page.getByRole('button', { name: 'Hide' }).click();
      expect(await secret.getAttribute('type')).toBe('password');
      await page.getByRole('button', { name: 'Reveal' }).click();
      expect(await secret.getAttribute('type')).toBe('text');
      await page.locator('.secret').getByRole('button', { name: 'Copy', exact: true }).click();
      await page.locator('.secret').getByText('Copied', { exact: true }).waitFor();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(value);
      await shot(page, '09b-http-signing-secret');
      // Once saved, the secret comes back masked only: no Reveal, no Copy.
      await page.getByLabel(/^Endpoint/).fill('http://127.0.0.1:9/hook');
      await page.getByRole('button', { name: 'Save and Done' }).click();
      await page.getByText('is now the email connector.', { exact: false }).waitFor();
      expect(await page.content()).not.toContain(value);
      await page.getByRole('button', { name: 'Change email connector' }).click();
      await page.getByRole('button', { name: /^HTTP/ }).click();
      await page.getByText('is kept unless you type a new one', { exact: false }).waitFor();
      expect(await page.locator('.secret').getByRole('button', { name: 'Reveal' }).count()).toBe(0);
    });
  });

  it('warns before deleting a connector the sign-in experience needs, then deletes with force', async () => {
    const tenant = await newTenant(env, 'delete');
    await withPage(env, async (page) => {
      await signIn(env, page, tenant);
      await page.getByRole('button', { name: 'Delete', exact: true }).click();
      await page.getByRole('button', { name: 'Delete connector' }).click();
      const warning = page.getByRole('alertdialog').filter({ hasText: 'The sign-in experience still needs email.' });
      await warning.waitFor();
      expect(await warning.locator('li').allInnerTexts()).toEqual(['Sign-up by email', 'Sign-in with an email code', 'Password reset by email', 'Email MFA']);
      await shot(page, '10-delete-warning');
      // Nothing is deleted until the explicit confirmation.
      expect((await env.postern.api('GET', `/t/${tenant}/api/connectors`)).body.items).toHaveLength(1);
      await page.getByRole('button', { name: 'Delete anyway' }).click();
      await page.getByText('No email connector.').waitFor();
      expect(await text(page, 'main')).toContain('These settings can no longer send email: Sign-up by email');
      await shot(page, '11-deleted');
    });
    expect((await env.postern.api('GET', `/t/${tenant}/api/connectors`)).body.items).toHaveLength(0);
  });

  it('shows email_connector_required inline on the sign-in experience field that needs email', async () => {
    const tenant = await newTenant(env, 'sie');
    const id = (await env.postern.api('GET', `/t/${tenant}/api/connectors`)).body.items[0].id;
    expect((await env.postern.api('DELETE', `/t/${tenant}/api/connectors/${id}?force=true`)).status).toBe(200);
    await withPage(env, async (page) => {
      await signIn(env, page, tenant);
      await page.getByRole('link', { name: 'Sign-in experience' }).click();
      await page.getByRole('heading', { name: 'Sign-in experience' }).waitFor();
      // Turn off everything that sends email: that is allowed without a connector.
      await page.getByLabel('Sign-up by email').uncheck();
      await page.getByLabel('Sign-in with an email code').uncheck();
      await page.getByLabel('Password reset by email').uncheck();
      await page.getByLabel('Email MFA').selectOption('off');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();

      await page.getByLabel('Password reset by email').check();
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.locator('#sie-forgot-err').waitFor();
      expect(await page.locator('#sie-forgot-err').innerText()).toContain('Password reset by email needs an email connector.');
      expect(await page.getByLabel('Password reset by email').getAttribute('aria-invalid')).toBe('true');
      expect(await page.getByRole('alert').getAttribute('data-code')).toBe('sign_in_experience.email_connector_required');
      expect(await page.getByRole('alert').innerText()).toContain('Set up an email connector first: password reset by email sends email.');
      // Only the field the change turned on is marked.
      expect(await page.locator('.field-error').count()).toBe(1);
      await shot(page, '12-sie-connector-required');

      // Email links need the connector too; the error stands at their own field.
      await page.getByLabel('Password reset by email').uncheck();
      await page.getByLabel('Sign-in with an email link').check();
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.locator('#sie-signin-link-err').waitFor();
      expect(await page.locator('#sie-signin-link-err').innerText()).toContain('Sign-in with an email link needs an email connector.');
      await page.getByLabel('Sign-in with an email link').uncheck();

      // Turning off the last sign-in method is refused on its field too.
      await page.getByLabel('Password reset by email').uncheck();
      await page.getByLabel('Sign-in with email and password').uncheck();
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.locator('#sie-signin-password-err').waitFor();
      expect(await page.getByRole('alert').getAttribute('data-code')).toBe('sign_in_experience.no_sign_in_method');
    });
    expect((await env.postern.api('GET', `/t/${tenant}/api/sign-in-experience`)).body.forgotPassword.email).toBe(false);
  });

  it('shows a message captured by the built-in service in a sandboxed iframe, and its email log', async () => {
    const tenant = await newTenant(env, 'mailbox');
    await withPage(env, async (page) => {
      await signIn(env, page, tenant);
      await page.getByRole('button', { name: 'Change email connector' }).click();
      await page.getByRole('button', { name: /^Built-in email service/ }).click();
      await page.getByLabel('Send to').fill('reader@example.com');
      await page.getByRole('button', { name: 'Send test email' }).click();
      const ok = page.getByRole('status').filter({ hasText: 'Test email sent to reader@example.com.' });
      await ok.waitFor();
      expect(await ok.innerText()).toContain('mailbox:');

      await page.getByRole('link', { name: 'Mailbox' }).click();
      await page.getByRole('button', { name: /To reader@example.com/ }).click();
      const frame = page.locator('iframe.mail-html');
      await frame.waitFor();
      expect(await frame.getAttribute('sandbox')).toBe('');
      expect(await frame.getAttribute('srcdoc')).toMatch(/<html|<table|<p/i);
      const body = page.frameLocator('iframe.mail-html').locator('body');
      expect(await body.innerText()).toContain('000000');
      expect(await page.locator('.mail-text').innerText()).toContain('000000');
      await shot(page, '13-mailbox');

      await page.getByRole('link', { name: 'Email logs' }).click();
      const row = page.locator('tbody tr').first();
      await row.waitFor();
      expect(await row.locator('.chip').allInnerTexts()).toEqual(['captured', 'test']);
      expect(await row.innerText()).toContain('reader@example.com');
      // The code never reaches the log: the subject shows it masked.
      expect(await page.locator('table').innerText()).not.toContain('000000');
      await shot(page, '14-email-logs');

      await page.getByRole('link', { name: 'Mailbox' }).click();
      await page.getByRole('button', { name: 'Empty mailbox' }).click();
      await page.getByRole('button', { name: 'Yes, delete every message' }).click();
      await page.getByText('The mailbox is empty.').waitFor();
    });
  });

  it('filters email logs and shows the error of a failed send', async () => {
    const tenant = await newTenant(env, 'logs');
    const failed = await env.postern.api('POST', `/t/${tenant}/api/connectors/test`, { factoryId: 'smtp', config: { host: '127.0.0.1', port: smtp.port, fromEmail: 'auth@example.com' }, to: 'blocked@example.com' });
    expect(failed.body.code).toBe('connector.rejected_recipient');
    const sent = await env.postern.api('POST', `/t/${tenant}/api/connectors/test`, { factoryId: 'smtp', config: { host: '127.0.0.1', port: smtp.port, fromEmail: 'auth@example.com' }, to: 'ok@example.com' });
    expect(sent.status).toBe(200);
    await withPage(env, async (page) => {
      await signIn(env, page, tenant);
      await page.getByRole('link', { name: 'Email logs' }).click();
      await page.locator('tbody tr').nth(1).waitFor();
      // Both were connector test sends, and say so.
      expect(await page.locator('tbody .chip').allInnerTexts()).toEqual(['sent', 'test', 'failed', 'test']);
      await page.getByLabel('Status').selectOption('failed');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.locator('tbody tr').nth(1).waitFor({ state: 'detached' });
      const row = page.locator('tbody tr');
      expect(await row.locator('.chip').first().innerText()).toBe('failed');
      expect(await row.locator('.row-error').innerText()).toContain('connector.rejected_recipient');
      await shot(page, '15-email-logs-failed');
    });
  });

  it('creates an admin key shown once, and a tenant, from tenant settings', async () => {
    const tenant = await newTenant(env, 'settings');
    await withPage(env, async (page) => {
      await signIn(env, page, tenant);
      await page.getByRole('link', { name: 'Tenant settings' }).click();
      await page.getByRole('heading', { name: 'Tenant settings' }).waitFor();
      expect(await text(page, '.facts')).toContain('development');
      await page.getByLabel('New key name').fill('CI deploys');
      await page.getByRole('button', { name: 'Create key' }).click();
      const key = await page.getByLabel('New admin key').inputValue();
      expect(key.length).toBeGreaterThan(20);
      await page.getByRole('cell', { name: 'CI deploys' }).waitFor();
      await shot(page, '16-tenant-settings');
      // The new key works for this tenant.
      const res = await fetch(`${env.url}/t/${tenant}/api/connectors`, { headers: { authorization: `Bearer ${key}` } });
      expect(res.status).toBe(200);

      await page.getByLabel('ID', { exact: true }).fill('Bad Id');
      await page.getByLabel('Name', { exact: true }).fill('Made in the console');
      await page.getByRole('button', { name: 'Create tenant' }).click();
      await page.locator('.field.invalid .field-error').first().waitFor();
      await page.getByLabel('ID', { exact: true }).fill('made-here');
      await page.getByRole('button', { name: 'Create tenant' }).click();
      await page.getByText('Tenant made-here created.').waitFor();
      await page.locator('#tenant-switch option[value="made-here"]').waitFor({ state: 'attached' });
      await page.locator('#tenant-switch').selectOption('made-here');
      await page.getByRole('link', { name: 'Connectors' }).click();
      await page.getByRole('heading', { name: 'Built-in email service' }).waitFor();
    });
  });

  it('lists system keys to a system key, and rotates the console’s own key, showing the new one once', async () => {
    const tenant = await newTenant(env, 'rotate');
    const made = await env.postern.api('POST', '/api/admin-keys', { name: 'ops-console', system: true });
    expect(made.status).toBe(201);
    const oldKey: string = made.body.key;
    await withPage(env, async (page) => {
      await page.goto(`${env.url}/console/`);
      await page.getByLabel('Admin key').fill(oldKey);
      await page.getByLabel('Tenant', { exact: true }).fill(tenant);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Getting started' }).waitFor();
      await page.getByRole('link', { name: 'Tenant settings' }).click();
      const row = page.locator('tbody tr', { hasText: 'ops-console' });
      await row.getByText('(this console’s key)').waitFor();
      expect(await row.locator('.chip').innerText()).toBe('system');
      await row.getByRole('button', { name: 'Rotate' }).click();
      await row.getByRole('button', { name: 'Rotate “ops-console”' }).click();
      await page.getByText('Key “ops-console” rotated.').waitFor();
      const field = page.getByLabel('New admin key');
      expect(await field.getAttribute('type')).toBe('password');
      await page.getByRole('button', { name: 'Reveal' }).click();
      expect(await field.getAttribute('type')).toBe('text');
      const newKey = await field.inputValue();
      expect(newKey).toMatch(/^pk_/);
      expect(newKey).not.toBe(oldKey);
      await page.getByRole('button', { name: 'Copy to the clipboard' }).waitFor();
      await shot(page, '16b-admin-key-rotated');
      expect((await fetch(`${env.url}/api/admin-keys`, { headers: { authorization: `Bearer ${oldKey}` } })).status).toBe(401);
      expect((await fetch(`${env.url}/api/admin-keys`, { headers: { authorization: `Bearer ${newKey}` } })).status).toBe(200);
      // The console carries on with the new key.
      await page.getByRole('link', { name: 'Connectors' }).click();
      await page.getByRole('heading', { name: 'Built-in email service' }).waitFor();
    });
  });

  it('on a 360 px phone in dark mode: the navigation folds behind Menu, pages and tables stay inside the screen', async () => {
    const tenant = await newTenant(env, 'phone');
    await env.postern.api('POST', `/t/${tenant}/api/admin-keys`, { name: 'a key with a rather long name for a narrow screen' });
    // A long tenant name in the switcher must not widen the page either.
    await env.postern.api('POST', '/api/tenants', { id: 'phone-long-name', name: 'A tenant with a very long name that would never fit a phone', type: 'development' });
    await withPage(
      env,
      async (page) => {
        await signIn(env, page, tenant, { stay: true });
        // Dark mode follows the system: a dark page background.
        const bg = await page.evaluate(() => getComputedStyle(document.body.parentElement!).backgroundColor);
        const [r, g, b] = (bg.match(/\d+/g) ?? []).map(Number);
        expect(r! + g! + b!).toBeLessThan(150);
        const nav = page.getByRole('navigation', { name: 'Console' });
        expect(await nav.isVisible()).toBe(false);
        const menu = page.getByRole('button', { name: 'Menu' });
        expect(await menu.getAttribute('aria-expanded')).toBe('false');
        // Nothing sticks out of the screen (the elements that do are named on failure).
        const fits = () =>
          page.evaluate(() => {
            const width = document.documentElement.clientWidth;
            const out = Array.from(document.querySelectorAll('body *'))
              .filter((el) => el.getBoundingClientRect().right > width + 1 && !el.closest('table'))
              .map((el) => `${el.tagName.toLowerCase()}.${el.className} ${Math.round(el.getBoundingClientRect().right)}`);
            return document.documentElement.scrollWidth > width ? [`page ${document.documentElement.scrollWidth} > ${width}`, ...out] : out;
          });
        expect(await fits()).toEqual([]);
        await shot(page, '30-phone-dark-getting-started');
        await menu.click();
        await nav.waitFor();
        await shot(page, '31-phone-dark-menu');
        await nav.getByRole('link', { name: 'Tenant settings' }).click();
        await page.getByRole('heading', { name: 'Admin keys' }).waitFor();
        // Choosing a page folds the menu again; the keys table scrolls inside the screen.
        expect(await nav.isVisible()).toBe(false);
        expect(await fits()).toEqual([]);
        await shot(page, '32-phone-dark-tenant-settings');
      },
      { viewport: { width: 360, height: 740 }, colorScheme: 'dark' },
    );
  });

  it('serves the hosted sign-in page at the hosted page paths, for the default tenant and under /t/T', async () => {
    await withPage(env, async (page) => {
      await page.goto(`${env.url}/sign-in`);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await page.getByLabel('Email address').waitFor();
      await page.goto(`${env.url}/t/default/register`);
      await page.getByRole('heading', { name: 'Create an account' }).waitFor();
    });
  });
});
