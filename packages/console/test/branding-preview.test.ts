import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTenant, shot, signIn, startConsoleEnv, withPage, type ConsoleEnv } from './browser.js';
import { brandColours } from '../../pages/src/branding.js';

// Issue 20: the Branding page previews the hosted sign-in page live, with unsaved edits, in
// light and dark; only Postern's own origin can frame that preview and dress it.
let env: ConsoleEnv;

beforeAll(async () => {
  env = await startConsoleEnv();
});
afterAll(async () => {
  await env?.close();
});

const rgb = (hex: string) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;

describe('live preview of the hosted pages on Branding', () => {
  it('follows the name, colour, logo and scheme as they are typed, before saving; the real pages change only on Save', async () => {
    const tenant = await newTenant(env, 'brand-preview');
    expect((await env.postern.api('PATCH', `/t/${tenant}/api/branding`, { companyName: 'Acme Widgets', primaryColor: '#e11d48' })).status).toBe(200);
    await withPage(env, async (page) => {
      await signIn(env, page, tenant);
      await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Branding' }).click();
      await page.getByRole('heading', { name: 'Hosted sign-in page' }).waitFor();
      const frame = page.frameLocator('iframe[title="Preview of the hosted sign-in page"]');
      const name = frame.locator('.hosted-brand-name');
      const button = frame.locator('main button.primary').first();
      await name.getByText('Acme Widgets').waitFor();
      // Marked as a preview, and nothing in its card can be used.
      await frame.getByText('Preview: this page cannot be used to sign in.').waitFor();
      expect(await frame.locator('main').getAttribute('inert')).not.toBeNull();
      await page.getByRole('radio', { name: 'Light' }).check();

      await page.getByLabel('Company name').fill('Globex <b>Corp</b>');
      await name.getByText('Globex <b>Corp</b>', { exact: true }).waitFor();
      expect(await frame.locator('.hosted-brand-name b').count()).toBe(0);
      // The email preview beside it renders the unsaved name too (escaped, as every value is).
      await page.frameLocator('iframe.mail-html').getByText('Globex <b>Corp</b>').first().waitFor();

      const colours = brandColours('#0f766e');
      await page.getByLabel('Primary colour', { exact: true }).fill('#0f766e');
      await expect.poll(() => button.evaluate((b) => getComputedStyle(b).backgroundColor)).toBe(rgb(colours.light));
      // A colour half typed is not a colour: the preview shows no brand colour meanwhile.
      await page.getByLabel('Primary colour', { exact: true }).fill('#0f7');
      await expect.poll(() => frame.locator('.hosted-page').evaluate((p) => p.classList.contains('branded'))).toBe(false);
      await page.getByLabel('Primary colour', { exact: true }).fill('#0f766e');

      await page.getByLabel('Logo URL', { exact: true }).fill('https://logo.invalid/globex.png');
      await expect.poll(() => frame.locator('.hosted-brand img').getAttribute('src')).toBe('https://logo.invalid/globex.png');
      // Only an https image is taken.
      await page.getByLabel('Logo URL', { exact: true }).fill('javascript:alert(1)');
      await expect.poll(() => frame.locator('.hosted-brand img').count()).toBe(0);
      await page.getByLabel('Logo URL', { exact: true }).fill('https://logo.invalid/globex.png');
      await shot(page, 'branding-preview-light');

      // Dark, in a light browser: the framed page's dark styles and the brand's dark colour apply.
      const background = () => frame.locator('main.hosted-card').evaluate((b) => getComputedStyle(b).backgroundColor);
      expect(await background()).toBe(rgb('#ffffff'));
      await page.getByRole('radio', { name: 'Dark' }).check();
      await expect.poll(background).toBe(rgb('#181c26'));
      await expect.poll(() => button.evaluate((b) => getComputedStyle(b).backgroundColor)).toBe(rgb(colours.dark));
      await shot(page, 'branding-preview-dark');
      await page.getByRole('radio', { name: 'Light' }).check();
      await expect.poll(background).toBe(rgb('#ffffff'));
      await page.getByRole('radio', { name: 'Dark' }).check();
      await expect.poll(background).toBe(rgb('#181c26'));

      // Nothing is saved yet: the public branding and the real page still wear the old one.
      expect(await (await fetch(`${env.url}/t/${tenant}/api/experience/branding`)).json()).toMatchObject({ name: 'Acme Widgets', primaryColor: '#e11d48', logoUrl: null });
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Branding saved.').waitFor();
      expect(await (await fetch(`${env.url}/t/${tenant}/api/experience/branding`)).json()).toMatchObject({ name: 'Globex <b>Corp</b>', primaryColor: '#0f766e', logoUrl: 'https://logo.invalid/globex.png' });
    });
  });

  it('lets only Postern itself frame the preview; real pages cannot be framed at all', async () => {
    const tenant = await newTenant(env, 'brand-frame');
    const csp = async (path: string) => (await fetch(`${env.url}/t/${tenant}${path}`)).headers.get('content-security-policy') ?? '';
    expect(await csp('/sign-in')).toContain("frame-ancestors 'none'");
    expect(await csp('/register')).toContain("frame-ancestors 'none'");
    expect(await csp('/preview/sign-in')).toContain("frame-ancestors 'self'");

    await withPage(env, async (page) => {
      // Opened on its own, the preview wears the saved branding and says it is a preview.
      await page.goto(`${env.url}/t/${tenant}/preview/sign-in`);
      await page.locator('.hosted-brand-name').getByText(`Tenant ${tenant}`).waitFor();
      await page.locator('.preview-mark').waitFor();
    });

    // Another origin (its own context: the refusal is a CSP report that withPage counts as a fault).
    const context = await env.browser.newContext();
    try {
      const page = await context.newPage();
      // Another origin framing it and posting branding: the browser refuses the frame.
      await page.route('https://elsewhere.example/**', (r) =>
        r.fulfill({
          contentType: 'text/html',
          body: `<!doctype html><iframe id="f" src="${env.url}/t/${tenant}/preview/sign-in"></iframe><script>
            document.getElementById('f').addEventListener('load', () => {
              document.getElementById('f').contentWindow.postMessage({ type: 'postern.branding-preview', branding: { name: 'Phish' } }, '*');
              document.title = 'posted';
            });</script>`,
        }),
      );
      await page.goto('https://elsewhere.example/');
      // The frame's load event fires for the refused page too; then the message has been posted.
      await page.waitForFunction(() => document.title === 'posted');
      const child = page.frames().find((f) => f !== page.mainFrame());
      expect(child, 'the frame element exists').toBeTruthy();
      // The pages' document (its #root is in the HTML itself) never loaded in the frame.
      expect(await child!.locator('#root').count()).toBe(0);
      expect(await child!.getByText('Phish').count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
