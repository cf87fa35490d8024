import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTenant, signIn, startConsoleEnv, withPage, type ConsoleEnv } from './browser.js';

// The suppression list page and the connector's events URL, in chromium against a real Postern.
let env: ConsoleEnv;
beforeAll(async () => {
  env = await startConsoleEnv();
});
afterAll(async () => {
  await env?.close();
});

describe('console: bounces and suppressions', () => {
  it('adds an address with a reason, finds it by search, and removes it', async () => {
    const tenant = await newTenant(env, 'supp');
    await env.postern.api('POST', `/t/${tenant}/api/suppressions`, { email: 'old@example.com', reason: 'complaint' });
    await withPage(env, async (page) => {
      await signIn(env, page, tenant);
      await page.getByRole('link', { name: 'Suppressions' }).click();
      await page.getByRole('cell', { name: 'old@example.com', exact: true }).waitFor();
      await page.getByLabel('Email address').fill('gone@example.com');
      await page.getByLabel('Reason').selectOption('hard_bounce');
      await page.getByRole('button', { name: 'Suppress' }).click();
      await page.getByText('gone@example.com gets no more mail.').waitFor();
      await page.getByLabel('Search').fill('gone');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByRole('cell', { name: 'Hard bounce' }).waitFor();
      expect(await page.getByRole('cell', { name: 'old@example.com', exact: true }).count()).toBe(0);
      await page.getByRole('button', { name: 'Remove gone@example.com' }).click();
      await page.getByText('gone@example.com gets mail again.').waitFor();
      await page.getByText('No address matches.').waitFor();
    });
    const left = await env.postern.api('GET', `/t/${tenant}/api/suppressions`);
    expect(left.body.items.map((s: { email: string }) => s.email)).toEqual(['old@example.com']);
  });

  it("shows the connector's events URL, and new Postmark credentials once", async () => {
    const tenant = await newTenant(env, 'pmevents');
    const put = await env.postern.api('PUT', `/t/${tenant}/api/connectors/email`, {
      factoryId: 'postmark',
      config: { serverToken: 'pm-token-0123456789', fromEmail: 'auth@example.com' },
    });
    expect(put.status).toBe(200);
    await withPage(env, async (page) => {
      await signIn(env, page, tenant);
      const field = page.getByLabel('Events URL (bounces and complaints)');
      await field.waitFor();
      expect(await field.inputValue()).toMatch(/:••••.{4}@.*\/api\/provider-events\/postmark$/);
      await page.getByRole('button', { name: 'New events credentials' }).click();
      await page.getByText('its password is shown only once').waitFor();
      const shown = await field.inputValue();
      expect(shown).not.toContain('••••');
      expect(shown).toMatch(/^http:\/\/postern-[0-9a-f]{8}:[A-Za-z0-9_-]{32}@/);
    });
  });
});
