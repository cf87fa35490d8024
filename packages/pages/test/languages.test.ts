import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { codeFor, mailTo, newTenant, shot, startConsoleEnv, withPage, type ConsoleEnv } from '../../console/test/browser.js';

// Issue 20: the hosted pages in every language the emails ship in, the email of a sign-up in
// the page's language with the right plural, the asking application on the card, and a
// layout that holds at 360 px. A real Postern; codes are read from its mailbox.
let env: ConsoleEnv;

beforeAll(async () => {
  env = await startConsoleEnv();
});
afterAll(async () => {
  await env?.close();
});

/** A tenant whose codes live one minute, so that the emails must say "1 minute" in the singular. */
async function oneMinuteTenant(id: string): Promise<string> {
  const tenant = await newTenant(env, id);
  const res = await env.postern.api('PATCH', `/t/${tenant}/api/verification-code-policy`, { ttlSeconds: 60 });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return tenant;
}

/** Registers `email` on the open register page, whose words are given in the page's language. */
async function register(page: Page, tenant: string, email: string, words: { email: string; sendCode: string; code: string; password: string; create: string; account: string }): Promise<void> {
  await page.getByLabel(words.email, { exact: true }).fill(email);
  await page.getByRole('button', { name: words.sendCode }).click();
  const codeField = page.getByLabel(words.code);
  await codeField.waitFor();
  await codeField.fill(await codeFor(env, tenant, email));
  await page.getByLabel(words.password, { exact: true }).fill('a-long-enough-password-1');
  await page.getByRole('button', { name: words.create }).click();
  await page.getByRole('heading', { name: words.account }).waitFor();
}

const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('hosted pages in every shipped language', () => {
  it('signs up in German from ?lang=de in an English browser; the email is German and says "1 Minute"', async () => {
    const tenant = await oneMinuteTenant('lang-de');
    const email = 'lena@example.com';
    await withPage(
      env,
      async (page) => {
        await page.goto(`${env.url}/t/${tenant}/register?lang=de`);
        await page.getByRole('heading', { name: 'Konto erstellen' }).waitFor();
        expect(await page.evaluate(() => document.documentElement.lang)).toBe('de');
        expect(await page.getByLabel('Sprache').inputValue()).toBe('de');
        await register(page, tenant, email, { email: 'E-Mail-Adresse', sendCode: 'Code senden', code: 'Bestätigungscode', password: 'Passwort', create: 'Konto erstellen', account: 'Ihr Konto' });
        await shot(page, 'hosted-de-account');
      },
      { locale: 'en-US' },
    );
    const mail = (await mailTo(env, tenant, email))[0]!;
    expect(mail.subject).toMatch(/E-Mail-Adresse/);
    expect(plain(mail.text)).toContain('Dieser Code läuft in 1 Minute ab.');
    expect(plain(mail.html)).toContain('Dieser Code läuft in 1 Minute ab.');
    expect(mail.text).not.toMatch(/1\s+Minuten/);
  });

  it('signs up in Thai chosen with the picker inside the card; the email is Thai and says "1 นาที"', async () => {
    const tenant = await oneMinuteTenant('lang-th');
    const email = 'malee@example.com';
    await withPage(
      env,
      async (page) => {
        await page.goto(`${env.url}/t/${tenant}/register`);
        await page.getByRole('heading', { name: 'Create an account' }).waitFor();
        // The picker is part of the card and lists every shipped language by its own name.
        const picker = page.locator('main').getByLabel('Language');
        expect(await picker.locator('option').allTextContents()).toEqual(['English', 'ไทย', '简体中文', '日本語', 'Español', 'Français', 'Deutsch', 'Português (Brasil)']);
        await picker.selectOption('th');
        await page.getByRole('heading', { name: 'สร้างบัญชี' }).waitFor();
        // The choice goes into the address, so that a reload keeps it.
        expect(new URL(page.url()).searchParams.get('lang')).toBe('th');
        await page.reload();
        await page.getByRole('heading', { name: 'สร้างบัญชี' }).waitFor();
        await register(page, tenant, email, { email: 'อีเมล', sendCode: 'ส่งรหัส', code: 'รหัสยืนยัน', password: 'รหัสผ่าน', create: 'สร้างบัญชี', account: 'บัญชีของคุณ' });
      },
      { locale: 'en-US' },
    );
    const mail = (await mailTo(env, tenant, email))[0]!;
    expect(mail.subject).toMatch(/[\u0E00-\u0E7F]/);
    expect(plain(mail.text)).toContain('รหัสนี้จะหมดอายุใน 1 นาที');
    expect(plain(mail.html)).toContain('รหัสนี้จะหมดอายุใน 1 นาที');
  });

  it('follows the browser (ja), and ?lang= wins over ui_locales', async () => {
    const tenant = await newTenant(env, 'lang-pick');
    await withPage(
      env,
      async (page) => {
        await page.goto(`${env.url}/t/${tenant}/sign-in`);
        await page.getByRole('heading', { name: 'サインイン' }).waitFor();
        expect(await page.evaluate(() => document.documentElement.lang)).toBe('ja');
        await page.goto(`${env.url}/t/${tenant}/sign-in?ui_locales=fr-CA%20en`);
        await page.getByRole('heading', { name: 'Connexion' }).waitFor();
        await page.goto(`${env.url}/t/${tenant}/sign-in?ui_locales=fr&lang=pt-BR`);
        await page.getByRole('heading', { name: 'Entrar', exact: true }).waitFor();
        expect(await page.evaluate(() => document.documentElement.lang)).toBe('pt-BR');
      },
      { locale: 'ja-JP' },
    );
  });

  it("speaks the tenant's default language when nothing the visitor sends names a shipped one; the code email follows", async () => {
    const tenant = await newTenant(env, 'lang-default');
    const sie = await env.postern.api('PATCH', `/t/${tenant}/api/sign-in-experience`, { languages: { default: 'th' } });
    expect(sie.status, JSON.stringify(sie.body)).toBe(200);
    expect(await (await fetch(`${env.url}/t/${tenant}/api/experience/branding`)).json()).toMatchObject({ defaultLanguage: 'th' });
    const email = 'somchai@example.com';
    await withPage(
      env,
      async (page) => {
        // A Korean browser: no shipped language matches, so the tenant's Thai wins over English.
        await page.goto(`${env.url}/t/${tenant}/register`);
        await page.getByRole('heading', { name: 'สร้างบัญชี' }).waitFor();
        expect(await page.evaluate(() => document.documentElement.lang)).toBe('th');
        expect(await page.getByLabel('ภาษา').inputValue()).toBe('th');
        await page.getByLabel('อีเมล', { exact: true }).fill(email);
        await page.getByRole('button', { name: 'ส่งรหัส' }).click();
        await page.getByLabel('รหัสยืนยัน').waitFor();
        // The address and the picker still win over the tenant's default.
        await page.goto(`${env.url}/t/${tenant}/sign-in?lang=de`);
        await page.getByRole('heading', { name: 'Anmelden' }).waitFor();
        await page.goto(`${env.url}/t/${tenant}/sign-in`);
        await page.getByRole('heading', { name: 'เข้าสู่ระบบ' }).waitFor();
        await page.getByLabel('ภาษา').selectOption('es');
        await page.getByRole('heading', { name: 'Iniciar sesión' }).waitFor();
      },
      { locale: 'ko-KR' },
    );
    const mail = (await mailTo(env, tenant, email))[0]!;
    expect(mail.subject).toMatch(/[\u0E00-\u0E7F]/);
    // A browser whose language ships keeps it, whatever the tenant's default.
    await withPage(
      env,
      async (page) => {
        await page.goto(`${env.url}/t/${tenant}/sign-in`);
        await page.getByRole('heading', { name: 'サインイン' }).waitFor();
        // Wait until the branding (with the default language) has been read, then check again.
        await page.locator('.hosted-brand-name').waitFor();
        expect(await page.evaluate(() => document.documentElement.lang)).toBe('ja');
      },
      { locale: 'ja-JP' },
    );
    // With language detection off on the sign-in experience, the browser is not asked: the
    // Japanese browser gets the tenant's Thai, while ?lang= still wins.
    expect((await env.postern.api('PATCH', `/t/${tenant}/api/sign-in-experience`, { languages: { default: 'th', autoDetect: false } })).status).toBe(200);
    expect(await (await fetch(`${env.url}/t/${tenant}/api/experience/branding`)).json()).toMatchObject({ defaultLanguage: 'th', autoDetectLanguage: false });
    await withPage(
      env,
      async (page) => {
        await page.goto(`${env.url}/t/${tenant}/sign-in`);
        await page.getByRole('heading', { name: 'เข้าสู่ระบบ' }).waitFor();
        expect(await page.evaluate(() => document.documentElement.lang)).toBe('th');
        await page.goto(`${env.url}/t/${tenant}/sign-in?lang=de`);
        await page.getByRole('heading', { name: 'Anmelden' }).waitFor();
      },
      { locale: 'ja-JP' },
    );
  });

  it("shows the asking application's name and logo on the card, and nothing for an unknown one", async () => {
    const tenant = await newTenant(env, 'lang-app');
    const logoUrl = 'https://cdn.example.test/acme-shop.png';
    const app = await env.postern.api('POST', `/t/${tenant}/api/applications`, { name: 'Acme Shop', type: 'spa', redirectUris: ['https://shop.example.test/cb'], logoUrl });
    expect(app.status).toBe(201);
    await withPage(
      env,
      async (page) => {
        // The logo's host does not exist here: the browser gets a 1×1 PNG instead, and no request leaves.
        const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
        await page.route('https://cdn.example.test/**', (r) => r.fulfill({ status: 200, contentType: 'image/png', body: png }));
        // As an OpenID authorization hands over: client_id, and the interaction to finish.
        const finish = `/t/${tenant}/oidc/interaction/abc123/login`;
        await page.goto(`${env.url}/t/${tenant}/sign-in?client_id=${app.body.clientId}&lang=es&redirect=${encodeURIComponent(finish)}`);
        const card = page.locator('main').getByTestId('hosted-app');
        await card.getByText('Continuar a Acme Shop').waitFor();
        expect(await card.locator('img').getAttribute('src')).toBe(logoUrl);
        // It stays while the sign-in moves on to registration.
        await page.getByRole('link', { name: 'Crear una cuenta' }).click();
        await page.getByRole('heading', { name: 'Crear una cuenta' }).waitFor();
        await page.getByTestId('hosted-app').getByText('Continuar a Acme Shop').waitFor();
        await shot(page, 'hosted-es-application');

        await page.goto(`${env.url}/t/${tenant}/sign-in?client_id=unknown-client&lang=en`);
        await page.getByRole('heading', { name: 'Sign in' }).waitFor();
        expect(await page.getByTestId('hosted-app').count()).toBe(0);
      },
      { locale: 'en-US' },
    );
  });

  it('keeps one centred card width at 360 px, and a long address wraps at its dots, inside the card', async () => {
    const tenant = await newTenant(env, 'lang-narrow');
    const email = 'firstname.middlename.lastname@subdomain.department.example.com';
    await withPage(
      env,
      async (page) => {
        const measure = () =>
          page.evaluate(() => {
            const card = document.querySelector('main')!.getBoundingClientRect();
            return { left: card.left, right: window.innerWidth - card.right, width: card.width, scroll: document.documentElement.scrollWidth };
          });
        const widths: number[] = [];
        for (const path of ['sign-in', 'register', 'forgot-password']) {
          for (const lang of ['de', 'pt-BR', 'th']) {
            await page.goto(`${env.url}/t/${tenant}/${path}?lang=${lang}`);
            await page.locator('main h1').waitFor();
            const m = await measure();
            expect(m.scroll, `${path} ${lang}`).toBeLessThanOrEqual(360);
            expect(Math.abs(m.left - m.right), `${path} ${lang} centred`).toBeLessThanOrEqual(1);
            widths.push(Math.round(m.width));
          }
        }
        expect(new Set(widths).size).toBe(1);

        await page.goto(`${env.url}/t/${tenant}/register?lang=de`);
        await page.getByLabel('E-Mail-Adresse', { exact: true }).fill(email);
        await page.getByRole('button', { name: 'Code senden' }).click();
        const help = page.locator('#code-input-help');
        await help.waitFor();
        expect(await help.innerText()).toContain(email);
        const address = help.locator('.address');
        const box = await address.evaluate((el) => {
          const r = el.getBoundingClientRect();
          const card = document.querySelector('main')!.getBoundingClientRect();
          // Each line of the address: it breaks only where a <wbr> stands (before "@" or a dot).
          const range = document.createRange();
          range.selectNodeContents(el);
          return { right: r.right, cardRight: card.right, lines: range.getClientRects().length, text: el.textContent };
        });
        expect(box.text).toBe(email);
        expect(box.right).toBeLessThanOrEqual(box.cardRight);
        expect(box.lines).toBeGreaterThan(1);
        const lineTexts = await address.evaluate((el) => {
          // Walk the text nodes (one per part between <wbr>s) and group them by their line's top.
          const tops = new Map<number, string>();
          for (const node of el.childNodes) {
            if (node.nodeType !== Node.TEXT_NODE) continue;
            const r = document.createRange();
            r.selectNodeContents(node);
            const rects = [...r.getClientRects()];
            if (rects.length !== 1) return null; // a part broke inside itself
            const top = Math.round(rects[0]!.top);
            tops.set(top, (tops.get(top) ?? '') + node.textContent);
          }
          return [...tops.values()];
        });
        expect(lineTexts, 'no part of the address broke inside itself').not.toBeNull();
        expect(lineTexts!.join('')).toBe(email);
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
        await shot(page, 'hosted-de-360-long-address');
      },
      { locale: 'en-US', viewport: { width: 360, height: 740 } },
    );
  });
});
