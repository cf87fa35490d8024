import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { codeFor, mailTo, newTenant, shot, signIn, startConsoleEnv, withPage, type ConsoleEnv } from './browser.js';

// The email-log detail view, partial recipient search and the user detail page (SPEC §14),
// in chromium against a real Postern whose tenants send through the built-in service.
let env: ConsoleEnv;

beforeAll(async () => {
  env = await startConsoleEnv();
});
afterAll(async () => {
  await env?.close();
});

describe('console detail pages', () => {
  it('finds a message by part of its recipient, and shows it with attempts and the code masked; a test send says so', async () => {
    const tenant = await newTenant(env, 'logdetail');
    const to = 'Maria.Lopez@example.com';
    expect((await env.postern.api('POST', `/t/${tenant}/api/experience/verification-codes`, { email: to, intent: 'register' })).status).toBe(202);
    expect((await env.postern.api('POST', `/t/${tenant}/api/experience/verification-codes`, { email: 'someone.else@example.com', intent: 'register' })).status).toBe(202);
    expect((await env.postern.api('POST', `/t/${tenant}/api/connectors/test`, { factoryId: 'builtin', config: {}, to: 'probe@example.com' })).status).toBe(200);
    const code = await codeFor(env, tenant, to);
    await withPage(env, async (page) => {
      await signIn(env, page, tenant);
      await page.getByRole('link', { name: 'Email logs' }).click();
      await page.locator('tbody tr').nth(2).waitFor();
      // The connector test send is marked, the real sends are not.
      const probeRow = page.locator('tbody tr', { hasText: 'probe@example.com' });
      expect(await probeRow.locator('.chip-test').innerText()).toBe('test');
      expect(await page.locator('tbody .chip-test').count()).toBe(1);

      await page.getByLabel('Recipient').fill('LOPEZ@');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.locator('tbody tr').nth(1).waitFor({ state: 'detached' });
      expect(await page.locator('tbody tr').innerText()).toContain(to);

      await page.getByRole('link', { name: /^Details of the email to Maria\.Lopez@example\.com/ }).click();
      await page.getByRole('heading', { name: `Email to ${to}` }).waitFor();
      const attempts = page.getByRole('list', { name: 'Attempts' });
      expect(await attempts.innerText()).toContain('Primary connector builtin');
      expect(await attempts.innerText()).toContain('captured into the mailbox');
      await page.getByText('No event from the provider yet').waitFor();
      // The message, in the language whose subject matches, with the code masked.
      const frame = page.locator('iframe.mail-html');
      await frame.waitFor();
      await page.locator('.preview-text').filter({ hasText: '••••••' }).waitFor();
      expect(await page.locator('main').innerText()).not.toContain(code);
      expect(await frame.getAttribute('srcdoc')).not.toContain(code);
      expect(await page.getByText('No language gives the subject').count()).toBe(0);
      await shot(page, '30-email-log-detail');

      await page.getByRole('link', { name: 'Email logs' }).first().click();
      await page.getByRole('heading', { name: 'Email logs' }).waitFor();
    });
  });

  it("shows a user's profile, methods, recent email and sessions; ends one session, then all", async () => {
    const tenant = await newTenant(env, 'userdetail');
    const email = 'sam.detail@example.com';
    const password = 'a long password 1';
    const made = await env.postern.api('POST', `/t/${tenant}/api/users`, { email, password, name: 'Sam Detail' });
    expect(made.status).toBe(201);
    const tokens: string[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await env.postern.api('POST', `/t/${tenant}/api/experience/sign-in/password`, { email, password });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      tokens.push(r.body.tokens.refreshToken as string);
    }
    expect((await env.postern.api('POST', `/t/${tenant}/api/experience/verification-codes`, { email, intent: 'forgot-password' })).status).toBe(202);
    await codeFor(env, tenant, email);
    await withPage(env, async (page) => {
      await signIn(env, page, tenant);
      await page.getByRole('link', { name: 'Users' }).click();
      await page.getByRole('link', { name: email, exact: true }).click();
      await page.getByRole('heading', { name: 'Sam Detail' }).waitFor();
      expect(await page.locator('.facts').first().innerText()).toContain(email);
      await page.getByRole('button', { name: 'Copy the user id' }).waitFor();
      expect(await page.getByRole('heading', { name: 'Sign-in methods' }).locator('..').innerText()).toContain('Password: set');
      expect(await page.getByText('Multi-factor authentication: off').count()).toBe(1);
      const reset = page.getByRole('link', { name: `${env.url}/t/${tenant}/forgot-password` });
      expect(await reset.getAttribute('href')).toBe(`${env.url}/t/${tenant}/forgot-password`);
      // The reset code mail shows under Recent email, and leads to its detail.
      const recent = page.getByRole('table', { name: `Recent email to ${email}, newest first` });
      await recent.locator('tbody tr').first().waitFor();
      expect(await recent.innerText()).toContain('ForgotPassword');

      const sessions = page.getByRole('list', { name: 'Active sessions' });
      await sessions.locator('li').nth(1).waitFor();
      expect(await sessions.locator('li').first().innerText()).toContain('Signed in with password');
      await shot(page, '31-user-detail');
      await sessions.getByRole('button', { name: /^End the session/ }).first().click();
      await page.getByRole('status').filter({ hasText: 'The session ended' }).waitFor();
      await sessions.locator('li').nth(1).waitFor({ state: 'detached' });

      await page.getByRole('button', { name: 'Sign out everywhere' }).click();
      await page.getByRole('button', { name: 'Yes, sign out everywhere' }).click();
      await page.getByRole('status').filter({ hasText: '1 session ended.' }).waitFor();
      await page.getByText('No active session.').waitFor();
    });
    for (const refreshToken of tokens) expect((await env.postern.api('POST', `/t/${tenant}/api/token`, { grantType: 'refresh_token', refreshToken })).status).toBe(401);
  });

  it('sends a password reset email from the user page; its link opens the hosted page at the code step', async () => {
    const tenant = await newTenant(env, 'userreset');
    const email = 'rita.reset@example.com';
    expect((await env.postern.api('POST', `/t/${tenant}/api/users`, { email, password: 'a long password 1', name: 'Rita Reset' })).status).toBe(201);
    await withPage(env, async (page) => {
      await signIn(env, page, tenant);
      await page.getByRole('link', { name: 'Users' }).click();
      await page.getByRole('link', { name: email, exact: true }).click();
      await page.getByRole('heading', { name: 'Rita Reset' }).waitFor();
      await page.getByRole('button', { name: 'Send password reset email' }).click();
      await page.getByRole('status').filter({ hasText: `Password reset email sent to ${email}.` }).waitFor();
      await shot(page, '32-user-password-reset');
    });
    const mail = (await mailTo(env, tenant, email, 1))[0]!;
    const link = /https?:\/\/\S+\/forgot-password\?\S+/.exec(mail.text)?.[0];
    expect(link, mail.text).toBeDefined();
    const code = await codeFor(env, tenant, email);
    expect(link).not.toContain(code);
    await withPage(env, async (page) => {
      // The link's host is POSTERN_PUBLIC_URL; the test server is the same one.
      const u = new URL(link!);
      await page.goto(`${env.url}${u.pathname}${u.search}`);
      await page.locator('input.code-input').fill(code);
      await page.locator('#forgot-new-password').fill('a new long password 2');
      await page.locator('form button[type=submit]').click();
      await page.waitForURL(/sign-in/);
    });
    expect((await env.postern.api('POST', `/t/${tenant}/api/experience/sign-in/password`, { email, password: 'a new long password 2' })).status).toBe(200);
  });

  it('says why a password reset was not sent', async () => {
    const tenant = await newTenant(env, 'userresetoff');
    const email = 'otto.off@example.com';
    expect((await env.postern.api('POST', `/t/${tenant}/api/users`, { email, name: 'Otto Off' })).status).toBe(201);
    expect((await env.postern.api('PATCH', `/t/${tenant}/api/sign-in-experience`, { forgotPassword: { email: false } })).status).toBe(200);
    await withPage(env, async (page) => {
      await signIn(env, page, tenant);
      await page.getByRole('link', { name: 'Users' }).click();
      await page.getByRole('link', { name: email, exact: true }).click();
      await page.getByRole('heading', { name: 'Otto Off' }).waitFor();
      await page.getByRole('button', { name: 'Send password reset email' }).click();
      const alert = page.getByRole('alert').filter({ hasText: 'The reset email was not sent.' });
      await alert.waitFor();
      expect(await alert.innerText()).toContain('Password reset by email is turned off in the sign-in experience.');
    });
  });
});
