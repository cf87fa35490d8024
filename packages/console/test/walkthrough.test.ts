import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startSmtpPeer, type SmtpPeer } from '../../server/src/testing/peers/smtp.js';
import { newTenant, shot, signIn, startConsoleEnv, withPage, type ConsoleEnv } from './browser.js';

// Issue 20's walk, in one go as a new user takes it: first start → Getting started → set up
// SMTP to a local peer → test → save → brand the tenant → sign up on the branded hosted page
// in Thai, and in Japanese from the browser's language → find the message and its attempts
// in the email log. A real Postern, a real SMTP peer, Debian's chromium.
let env: ConsoleEnv;
let smtp: SmtpPeer;

beforeAll(async () => {
  smtp = await startSmtpPeer();
  env = await startConsoleEnv({ POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32' });
});
afterAll(async () => {
  await env?.close();
  await smtp?.close();
});

/** The six-digit code of the newest message the SMTP peer received for `to`. */
async function codeAtPeer(to: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const m = smtp.messages.filter((x) => x.to.includes(to)).at(-1);
    const code = m && /\b(\d{6})\b/.exec(m.parsed.text ?? '')?.[1];
    if (code) return code;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no code reached the SMTP peer for ${to}`);
}

/** Registers `email` on the open register page, whose words are given in the page's language. */
async function register(
  page: Page,
  email: string,
  words: { email: string; sendCode: string; code: string; password: string; create: string; account: string },
): Promise<void> {
  await page.getByLabel(words.email, { exact: true }).fill(email);
  await page.getByRole('button', { name: words.sendCode }).click();
  const codeField = page.getByLabel(words.code);
  await codeField.waitFor();
  await codeField.fill(await codeAtPeer(email));
  await page.getByLabel(words.password, { exact: true }).fill('a-long-enough-password-1');
  await page.getByRole('button', { name: words.create }).click();
  await page.getByRole('heading', { name: words.account, exact: true }).waitFor();
}

describe('the walk of a new user', () => {
  it('sets up SMTP from Getting started, brands the pages, signs up in Thai and Japanese, and finds the messages in the email log', async () => {
    const tenant = await newTenant(env, 'walk');
    const hosted = `${env.url}/t/${tenant}`;

    await withPage(env, async (page) => {
      // First start: Getting started says what is left, read from the tenant's real state.
      await signIn(env, page, tenant, { stay: true });
      const testItem = page.locator('.checklist li', { hasText: 'Send a test email' });
      await testItem.waitFor();
      expect(await testItem.getByText('Done').count()).toBe(0);
      await shot(page, 'walk-01-getting-started');

      // SMTP to the local peer (plain SMTP, no STARTTLS): test, then save.
      await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Connectors' }).click();
      await page.getByRole('button', { name: 'Change email connector' }).click();
      await page.getByRole('button', { name: /^SMTP/ }).click();
      await page.getByRole('heading', { name: 'Set up SMTP' }).waitFor();
      await page.getByLabel('Host').fill('127.0.0.1');
      await page.getByLabel('Port').fill(String(smtp.port));
      await page.getByLabel('Require STARTTLS').uncheck();
      await page.getByLabel('From email').fill('auth@walk.example');
      await page.getByLabel('From name').fill('Walk sign-in');
      await page.getByLabel('Send to').fill('first-test@walk.example');
      await page.getByRole('button', { name: 'Send test email' }).click();
      await page.getByRole('status').filter({ hasText: 'Test email sent to first-test@walk.example.' }).waitFor();
      expect(smtp.messages.filter((m) => m.to.includes('first-test@walk.example'))).toHaveLength(1);
      await page.getByRole('button', { name: 'Save and Done' }).click();
      await page.getByText('SMTP is now the email connector.').waitFor();
      await page.getByRole('link', { name: 'Getting started' }).click();
      await testItem.getByText('Done').waitFor();

      // Branding, which the hosted pages wear.
      await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Branding' }).click();
      const form = page.getByRole('form', { name: 'Branding' });
      await form.getByLabel('Company name', { exact: true }).fill('Walk & Co');
      await form.getByLabel('Primary colour', { exact: true }).fill('#0f766e');
      await form.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Branding saved.').waitFor();
      await shot(page, 'walk-02-branding');
    });

    // Sign-up in Thai (?lang=th) on the branded page; the code comes through the SMTP connector, in Thai.
    await withPage(
      env,
      async (page) => {
        await page.goto(`${hosted}/register?lang=th`);
        await page.getByRole('heading', { name: 'สร้างบัญชี' }).waitFor();
        expect(await page.locator('.hosted-brand-name').innerText()).toBe('Walk & Co');
        await register(page, 'somchai@walk.example', {
          email: 'อีเมล',
          sendCode: 'ส่งรหัส',
          code: 'รหัสยืนยัน',
          password: 'รหัสผ่าน',
          create: 'สร้างบัญชี',
          account: 'บัญชีของคุณ',
        });
        await shot(page, 'walk-03-hosted-th');
      },
      { locale: 'en-US' },
    );
    const thai = smtp.messages.find((m) => m.to.includes('somchai@walk.example'))!;
    expect(thai.from).toBe('auth@walk.example');
    expect(thai.parsed.text).toMatch(/[\u0E00-\u0E7F]/);

    // Sign-up in Japanese, from the browser's language alone.
    await withPage(
      env,
      async (page) => {
        await page.goto(`${hosted}/register`);
        await page.getByRole('heading', { name: 'アカウントを作成' }).waitFor();
        expect(await page.evaluate(() => document.documentElement.lang)).toBe('ja');
        await register(page, 'hanako@walk.example', {
          email: 'メールアドレス',
          sendCode: 'コードを送信',
          code: '確認コード',
          password: 'パスワード',
          create: 'アカウントを作成',
          account: 'アカウント',
        });
      },
      { locale: 'ja-JP' },
    );
    expect(smtp.messages.find((m) => m.to.includes('hanako@walk.example'))!.parsed.text).toMatch(
      /[\u3040-\u30FF\u4E00-\u9FFF]/,
    );

    // The email log has both, and the Thai one's page shows what went out and how.
    await withPage(env, async (page) => {
      await signIn(env, page, tenant, { stay: true });
      await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Email logs' }).click();
      await page.getByRole('heading', { name: 'Email logs' }).waitFor();
      await page.locator('tbody tr', { hasText: 'hanako@walk.example' }).waitFor();
      await page.getByRole('link', { name: /^Details of the email to somchai@walk\.example/ }).click();
      await page.getByRole('heading', { name: 'Email to somchai@walk.example' }).waitFor();
      const attempts = page.getByRole('list', { name: 'Attempts' });
      expect(await attempts.innerText()).toContain('Primary connector smtp');
      await page.locator('.preview-text').filter({ hasText: '••••••' }).waitFor();
      await shot(page, 'walk-04-email-log');
    });
  }, 120_000);
});
