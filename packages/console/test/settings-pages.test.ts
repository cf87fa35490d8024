import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { startSmtpPeer, type SmtpPeer } from '../../server/src/testing/peers/smtp.js';
import { startDnsPeer, type DnsPeer } from '../../server/src/core/deliverability/dns-peer.test-helpers.js';
import { newTenant, shot, signIn, startConsoleEnv, withPage, type ConsoleEnv } from './browser.js';

// Email templates, branding, code policy, deliverability and "Migrate to production", in
// chromium against a real Postern, a real SMTP server and a loopback DNS server.
let env: ConsoleEnv;
let smtp: SmtpPeer;
let dns: DnsPeer;

beforeAll(async () => {
  smtp = await startSmtpPeer();
  dns = await startDnsPeer({
    'auth.example.com': [['v=spf1 ip4:192.0.2.10 -all']],
    '_dmarc.auth.example.com': [['v=DMARC1; p=none']],
  });
  try {
    env = await startConsoleEnv({ POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32', POSTERN_DNS_SERVERS: dns.address });
  } catch (e) {
    await smtp.close();
    await dns.close();
    throw e;
  }
});

afterAll(async () => {
  await env?.close();
  await smtp?.close();
  await dns?.close();
});

const field = (page: Page, label: string) => page.locator('.field', { has: page.getByLabel(label, { exact: true }) });
const previewBody = (page: Page) => page.frameLocator('iframe.mail-html').locator('body');

/** Points the tenant at the SMTP peer: the built-in service ignores tenant templates. */
async function useSmtp(tenant: string, extra: Record<string, unknown> = {}) {
  const res = await env.postern.api('PUT', `/t/${tenant}/api/connectors/email`, { factoryId: 'smtp', config: { host: '127.0.0.1', port: smtp.port, fromEmail: 'auth@example.com', ...extra } });
  expect(res.status).toBe(200);
}

describe('console settings pages', () => {
  it('edits a template with a live preview and lint warnings, saves it, mails with it, and reverts it', async () => {
    const tenant = await newTenant(env, 'templates');
    await useSmtp(tenant);
    await withPage(env, async (page) => {
      await signIn(env, page, tenant);
      await page.getByRole('link', { name: 'Email templates', exact: true }).click();
      await page.getByRole('heading', { name: 'Email templates' }).waitFor();
      // Shipped languages are columns; a language without shipped templates can be added.
      await page.getByRole('columnheader', { name: 'th', exact: true }).waitFor();
      // Every shipped language, also those past the list's first page of 50 (the console pages through all).
      await page.getByRole('columnheader', { name: 'pt-BR', exact: true }).waitFor();
      expect(await page.getByRole('columnheader').count()).toBe(1 + 8);
      await page.getByLabel('Add a language').fill('ko');
      await page.getByRole('button', { name: 'Add language' }).click();
      await page.getByRole('columnheader', { name: 'ko', exact: true }).waitFor();
      await page.getByRole('link', { name: 'Sign-in code, ko: Default' }).waitFor();
      await shot(page, '20-templates-matrix');

      await page.getByRole('link', { name: 'Sign-in code, en: Default' }).click();
      await page.getByRole('heading', { name: /Sign-in code/ }).waitFor();
      await page.locator('.preview-subject').waitFor();
      // The preview HTML lives in a sandbox with no permissions at all.
      expect(await page.locator('iframe.mail-html').getAttribute('sandbox')).toBe('');
      for (const v of ['{{code}}', '{{link}}', '{{expiresInMinutes}}', '{{user.name}}', '{{branding.companyName}}']) await page.getByText(v, { exact: true }).first().waitFor();

      await page.getByLabel('Subject').fill('Your Acme sign-in code');
      await page.getByLabel('HTML').fill('<p>Welcome to Acme Rockets</p>');
      const lint = page.locator('.lint');
      await lint.getByText('The code is missing').waitFor();
      await previewBody(page).getByText('Welcome to Acme Rockets').waitFor();
      expect(await page.locator('.preview-subject').innerText()).toBe('Your Acme sign-in code');
      await shot(page, '21-template-lint-warning');

      // A template that does not compile: the 422's position lands on the HTML field.
      await page.getByLabel('HTML').fill('<p>Welcome to Acme Rockets {{#if code}}</p>');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByRole('alert').filter({ hasText: 'Not saved.' }).waitFor();
      const htmlError = field(page, 'HTML').locator('.field-error');
      expect(await htmlError.innerText()).toMatch(/Line 1, column \d+/);
      expect(await page.getByLabel('HTML').getAttribute('aria-invalid')).toBe('true');
      await shot(page, '22-template-invalid');

      await page.getByLabel('HTML').fill('<p>Welcome to Acme Rockets. Your code is <b>{{code}}</b>.</p>');
      // Emptied, the text part is derived from the HTML.
      await page.getByLabel('Text part (optional)').fill('');
      await page.getByText('No warnings.').waitFor();
      await previewBody(page).getByText(/Your code is \d+/).waitFor();
      expect(await page.locator('.preview-text').innerText()).toMatch(/Your code is \d+/);
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByText('Saved. Messages of this type in en now use this template.').waitFor();
      expect(await field(page, 'HTML').locator('.field-error').count()).toBe(0);
      await shot(page, '23-template-saved');

      // The next sign-in code goes out with the saved template.
      const sent = await env.postern.api('POST', `/t/${tenant}/api/verification-codes`, { email: 'reader@example.com', templateType: 'SignIn' });
      expect(sent.status).toBe(201);
      const mail = smtp.messages.find((m) => m.to.includes('reader@example.com'));
      expect(mail?.parsed.subject).toBe('Your Acme sign-in code');
      expect(mail?.parsed.html).toMatch(/Welcome to Acme Rockets\. Your code is <b>\d{6}<\/b>/);
      expect(mail?.parsed.text).toMatch(/Your code is \d{6}/);

      await page.getByRole('link', { name: 'Email templates', exact: true }).first().click();
      await page.getByRole('link', { name: 'Sign-in code, en: Customised' }).click();
      await page.getByRole('button', { name: 'Revert to default' }).click();
      // The confirmation focuses the safe choice.
      await page.waitForFunction(() => document.activeElement?.textContent === 'Cancel');
      await page.getByRole('button', { name: 'Yes, revert' }).click();
      await page.getByText('Reverted to the default template.').waitFor();
      expect(await page.getByLabel('Subject').inputValue()).not.toBe('Your Acme sign-in code');
    });
    const after = await env.postern.api('GET', `/t/${tenant}/api/email-templates?locale=en&templateType=SignIn`);
    expect(after.body.items[0].isDefault).toBe(true);
  });

  it('saves branding after a bad URL is refused at its field, and previews a message with it', async () => {
    const tenant = await newTenant(env, 'branding');
    await withPage(env, async (page) => {
      await signIn(env, page, tenant);
      await page.getByRole('link', { name: 'Branding' }).click();
      await page.getByRole('heading', { name: 'Branding', exact: true }).waitFor();
      await page.getByLabel('Company name').fill('Acme Rockets');
      await page.getByLabel('Logo URL', { exact: true }).fill('http://insecure.example/logo.png');
      await page.getByLabel('Primary colour', { exact: true }).fill('#ff5500');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      const logoError = field(page, 'Logo URL').locator('.field-error');
      await logoError.waitFor();
      expect(await logoError.innerText()).toContain('https://');
      expect(await page.getByLabel('Logo URL', { exact: true }).getAttribute('aria-invalid')).toBe('true');
      // The colour picker follows the hex text.
      expect(await page.getByLabel('Primary colour picker').inputValue()).toBe('#ff5500');
      await shot(page, '24-branding-error');

      await page.getByLabel('Logo URL', { exact: true }).fill('https://cdn.example.com/logo.png');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByText('Branding saved.').waitFor();
      expect(await page.locator('.field-error').count()).toBe(0);
      await previewBody(page).getByText('Acme Rockets').first().waitFor();
      await shot(page, '25-branding-saved');
    });
    const saved = await env.postern.api('GET', `/t/${tenant}/api/branding`);
    expect(saved.body).toMatchObject({ companyName: 'Acme Rockets', logoUrl: 'https://cdn.example.com/logo.png', primaryColor: '#ff5500' });
  });

  it('shows a code policy error at its field, then saves the policy with a test address', async () => {
    const tenant = await newTenant(env, 'policy');
    await withPage(env, async (page) => {
      await signIn(env, page, tenant);
      await page.getByRole('link', { name: 'Code policy' }).click();
      await page.getByRole('heading', { name: 'Code policy' }).waitFor();
      expect(await field(page, 'Code length').locator('.help').innerText()).toContain('4–10');
      expect(await field(page, 'Sends per IP address per hour').locator('.help').innerText()).toContain('1–1,000,000');
      await page.getByLabel('Code length').fill('3');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      const lengthError = field(page, 'Code length').locator('.field-error');
      await lengthError.waitFor();
      expect(await lengthError.innerText()).toContain('4');
      await shot(page, '26-code-policy-error');

      await page.getByLabel('Code length').fill('8');
      await page.getByLabel('Lock duration').fill('900');
      await page.getByRole('button', { name: 'Add test address' }).click();
      await page.getByLabel('Email 1').fill('qa@example.com');
      await page.getByLabel('Code 1').fill('12345678');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByText('Code policy saved.').waitFor();
      expect(await page.locator('.field-error').count()).toBe(0);
      await shot(page, '27-code-policy-saved');
    });
    const saved = await env.postern.api('GET', `/t/${tenant}/api/verification-code-policy`);
    expect(saved.body).toMatchObject({ length: 8, lockout: { lockSeconds: 900 }, testAddresses: [{ email: 'qa@example.com', code: '12345678' }] });

    const prod = await newTenant(env, 'policy-prod', 'production');
    await withPage(env, async (page) => {
      await signIn(env, page, prod);
      await page.getByRole('link', { name: 'Code policy' }).click();
      await page.getByText('This is a production tenant: test addresses are not available.').waitFor();
      expect(await page.getByRole('button', { name: 'Add test address' }).count()).toBe(0);
    });
  });

  it('creates a DKIM key showing its DNS record, and checks a domain', async () => {
    const tenant = await newTenant(env, 'dkim');
    await withPage(env, async (page) => {
      await signIn(env, page, tenant);
      await page.getByRole('link', { name: 'Deliverability' }).click();
      await page.getByRole('heading', { name: 'DKIM keys' }).waitFor();
      await page.getByLabel('Domain', { exact: true }).first().fill('auth.example.com');
      await page.getByLabel('Selector', { exact: true }).fill('postern1');
      await page.getByRole('button', { name: 'Create key' }).click();
      await page.getByRole('heading', { name: 'Publish this TXT record' }).waitFor();
      expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('postern1._domainkey.auth.example.com');
      const value = await page.getByLabel('Value', { exact: true }).inputValue();
      expect(value).toMatch(/^v=DKIM1; k=rsa; p=[A-Za-z0-9+/=]{300,}$/);
      const strings = await page.getByLabel(/strings of at most 255 characters/).inputValue();
      expect(strings.replace(/" "/g, '').replace(/^"|"$/g, '')).toBe(value);
      await page.getByRole('button', { name: 'Copy the record value' }).waitFor();
      const keys = await env.postern.api('GET', `/t/${tenant}/api/dkim-keys`);
      expect(await page.locator('.dns-record pre').innerText()).toContain(keys.body.items[0].id);
      await page.getByRole('cell', { name: 'postern1' }).waitFor();
      await shot(page, '28-dkim-key');

      await page.getByLabel('Domain', { exact: true }).last().fill('auth.example.com');
      await page.getByLabel('DKIM selector (optional)').fill('postern1');
      await page.getByRole('button', { name: 'Check domain' }).click();
      await page.getByRole('region', { name: 'SPF: pass' }).waitFor();
      await page.getByRole('region', { name: 'DMARC: warn' }).waitFor();
      // The key is not published in this DNS, so DKIM is not a pass.
      await page.getByRole('region', { name: /^DKIM: (missing|fail)$/ }).waitFor();
      expect(await page.getByRole('region', { name: 'SPF: pass' }).innerText()).toContain('v=spf1 ip4:192.0.2.10 -all');
      expect(await page.locator('.advice li').count()).toBeGreaterThan(0);
      await shot(page, '29-domain-check');
    });
  });

  it('migrates a development tenant to production: preview, the missing secret, apply', async () => {
    const dev = await newTenant(env, 'mig-dev');
    const prod = await newTenant(env, 'mig-prod', 'production');
    await useSmtp(dev, { auth: { type: 'login', user: 'mailer', pass: 'dev-smtp-password' } });
    const tpl = await env.postern.api('PUT', `/t/${dev}/api/email-templates/en/SignIn`, { subject: 'Acme code', html: '<p>Acme says {{code}}</p>' });
    expect(tpl.status).toBe(200);
    await withPage(env, async (page) => {
      await signIn(env, page, dev);
      await page.getByRole('link', { name: 'Tenant settings' }).click();
      await page.getByRole('heading', { name: 'Migrate to production' }).waitFor();
      await page.getByLabel('Production tenant').selectOption(prod);
      await page.getByRole('button', { name: 'Preview changes' }).click();
      // The export leaves the SMTP password out, and the target has no SMTP connector.
      const secret = page.getByLabel('Connector secret auth.pass');
      await secret.waitFor();
      expect(await secret.getAttribute('type')).toBe('password');
      await page.waitForFunction(() => document.activeElement?.id === 'secret-auth.pass');
      await shot(page, '30-migrate-secret');
      await secret.fill('prod-smtp-password');
      await page.getByRole('button', { name: 'Preview changes' }).click();
      await page.getByRole('heading', { name: /Changes to mig-prod/ }).waitFor();
      await page.getByRole('row', { name: /templates\.en\/SignIn|templates\.en\.SignIn/ }).waitFor();
      // Each change with its value before and after; the secret says only that it is added.
      const preview = page.locator('.migrate-preview');
      expect(await preview.getByRole('row', { name: /connector\.factoryId/ }).innerText()).toMatch(/update\s+builtin\s+smtp/);
      expect(await preview.getByRole('row', { name: /connector\.config\.host/ }).innerText()).toMatch(/add\s+—\s+127\.0\.0\.1/);
      expect(await preview.getByRole('row', { name: /connector\.config\.auth\.pass/ }).innerText()).toContain('Secret added (not shown)');
      expect(await preview.innerText()).not.toContain('prod-smtp-password');
      // Nothing is applied by the preview.
      const before = await env.postern.api('GET', `/t/${prod}/api/email-templates?locale=en&templateType=SignIn`);
      expect(before.body.items[0].isDefault).toBe(true);
      await shot(page, '31-migrate-preview');
      await page.getByRole('button', { name: /^Apply \d+ changes? to mig-prod$/ }).click();
      await page.getByText(/Applied \d+ changes? to mig-prod\./).waitFor();
      await shot(page, '32-migrate-applied');
      expect(await page.content()).not.toContain('prod-smtp-password');
    });
    const after = await env.postern.api('GET', `/t/${prod}/api/email-templates?locale=en&templateType=SignIn`);
    expect(after.body.items[0]).toMatchObject({ isDefault: false, subject: 'Acme code', html: '<p>Acme says {{code}}</p>' });
    const stored = await env.postern.services.stores.connectors.getEmailConnector(prod);
    expect(stored?.config).toMatchObject({ host: '127.0.0.1', auth: { user: 'mailer', pass: 'prod-smtp-password' } });
  });

  it('downloads the settings, then imports an edited file with a before/after preview, and says when a file is not one', async () => {
    const tenant = await newTenant(env, 'export');
    expect((await env.postern.api('PATCH', `/t/${tenant}/api/branding`, { companyName: 'Before Co' })).status).toBe(200);
    await withPage(env, async (page) => {
      await signIn(env, page, tenant);
      await page.getByRole('link', { name: 'Tenant settings' }).click();
      await page.getByRole('heading', { name: 'Export and import settings' }).waitFor();
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download settings' }).click()]);
      expect(download.suggestedFilename()).toBe(`postern-${tenant}-settings.json`);
      const path = await download.path();
      const bundle = JSON.parse(readFileSync(path!, 'utf8'));
      expect(bundle).toMatchObject({ version: 1, tenant: { id: tenant }, branding: { companyName: 'Before Co' } });

      // Not JSON: a sentence, nothing changed.
      await page.getByLabel('Import a settings file').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
      await page.getByRole('alert').filter({ hasText: 'notes.txt is not a JSON file.' }).waitFor();

      bundle.branding.companyName = 'After Co';
      await page.getByLabel('Import a settings file').setInputFiles({ name: 'edited.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bundle)) });
      const preview = page.locator('.import-preview');
      await preview.getByRole('heading', { name: /Changes from edited\.json/ }).waitFor();
      expect(await preview.getByRole('row', { name: /branding\.companyName/ }).innerText()).toMatch(/update\s+Before Co\s+After Co/);
      expect((await env.postern.api('GET', `/t/${tenant}/api/branding`)).body.companyName).toBe('Before Co');
      await shot(page, '33-import-preview');
      await preview.getByRole('button', { name: 'Apply 1 change' }).click();
      await page.getByText('Applied 1 change.').waitFor();
    });
    expect((await env.postern.api('GET', `/t/${tenant}/api/branding`)).body.companyName).toBe('After Co');
  });
});
