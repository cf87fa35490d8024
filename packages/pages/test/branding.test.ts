import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Page } from 'playwright-core';
import { newTenant, shot, startConsoleEnv, withPage, type ConsoleEnv } from '../../console/test/browser.js';
import { brandColours, contrast } from '../src/branding.js';

// The hosted pages wear the tenant's branding (SPEC §14): name, logos for light and dark, and
// the brand colour made readable in each scheme.
let env: ConsoleEnv;

beforeAll(async () => {
  env = await startConsoleEnv();
});
afterAll(async () => {
  await env?.close();
});

const rgb = (hex: string) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;

async function look(page: Page) {
  return page.evaluate(() => {
    const button = document.querySelector('main.hosted-card button.primary')!;
    const img = document.querySelector<HTMLImageElement>('.hosted-brand img');
    return {
      name: document.querySelector('.hosted-brand-name')?.textContent,
      title: document.title,
      button: getComputedStyle(button).backgroundColor,
      buttonText: getComputedStyle(button).color,
      logo: img?.currentSrc || img?.src || null,
    };
  });
}

describe('hosted page branding', () => {
  it('serves the public branding: name falls back to the tenant name, no other field', async () => {
    const tenant = await newTenant(env, 'brand-api');
    const plain = await fetch(`${env.url}/t/${tenant}/api/experience/branding`);
    expect(plain.status).toBe(200);
    expect(await plain.json()).toEqual({ name: `Tenant ${tenant}`, logoUrl: null, darkLogoUrl: null, primaryColor: null, defaultLanguage: 'en', autoDetectLanguage: true });
    expect((await env.postern.api('PATCH', `/t/${tenant}/api/branding`, { companyName: 'Acme', supportEmail: 'help@acme.example', primaryColor: '#ffcc00' })).status).toBe(200);
    expect(await (await fetch(`${env.url}/t/${tenant}/api/experience/branding`)).json()).toEqual({ name: 'Acme', logoUrl: null, darkLogoUrl: null, primaryColor: '#ffcc00', defaultLanguage: 'en', autoDetectLanguage: true });
    expect((await fetch(`${env.url}/t/no-such-tenant/api/experience/branding`)).status).toBe(404);
  });

  it('keeps a brand colour readable on both cards', () => {
    for (const c of ['#ffcc00', '#0a0a0a', '#4f46e5', '#ffffff', '#00ff00']) {
      const b = brandColours(c);
      expect(contrast(b.light, '#ffffff'), c).toBeGreaterThanOrEqual(4.5);
      expect(contrast(b.dark, '#181c26'), c).toBeGreaterThanOrEqual(4.5);
      expect(contrast(b.light, b.lightText), c).toBeGreaterThanOrEqual(4.5);
      expect(contrast(b.dark, b.darkText), c).toBeGreaterThanOrEqual(4.5);
    }
    // A colour that already reads well is kept as it is.
    expect(brandColours('#4f46e5').light).toBe('#4f46e5');
  });

  it('wears the name, the logo of each scheme and the brand colour, in light and in dark mode', async () => {
    const tenant = await newTenant(env, 'brand-pages');
    const patch = await env.postern.api('PATCH', `/t/${tenant}/api/branding`, {
      companyName: 'Acme Widgets',
      logoUrl: 'https://logo.invalid/light.png',
      darkLogoUrl: 'https://logo.invalid/dark.png',
      primaryColor: '#e11d48',
    });
    expect(patch.status, JSON.stringify(patch.body)).toBe(200);
    const colours = brandColours('#e11d48');
    for (const scheme of ['light', 'dark'] as const) {
      await withPage(
        env,
        async (page) => {
          for (const p of ['sign-in', 'register']) {
            await page.goto(`${env.url}/t/${tenant}/${p}`);
            await page.locator('.hosted-brand-name').waitFor();
            const seen = await look(page);
            expect(seen.name).toBe('Acme Widgets');
            expect(seen.title).toContain('Acme Widgets');
            expect(seen.button, `${p} ${scheme}`).toBe(rgb(scheme === 'light' ? colours.light : colours.dark));
            expect(seen.buttonText).toBe(rgb(scheme === 'light' ? colours.lightText : colours.darkText));
            expect(seen.logo).toBe(scheme === 'light' ? 'https://logo.invalid/light.png' : 'https://logo.invalid/dark.png');
            await shot(page, `hosted-branded-${scheme}-${p}`);
          }
        },
        { colorScheme: scheme },
      );
    }
  });
});
