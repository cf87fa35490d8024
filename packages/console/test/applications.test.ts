import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTenant, signIn, startConsoleEnv, withPage, type ConsoleEnv } from './browser.js';

// The Applications page (SPEC §17) in chromium against a real Postern.
let env: ConsoleEnv;
beforeAll(async () => {
  env = await startConsoleEnv();
});
afterAll(async () => {
  await env?.close();
});

describe('console: applications', () => {
  it('registers an app, shows its secret once with the values to copy and the snippets, edits, rotates and deletes it', async () => {
    const tenant = await newTenant(env, 'apps');
    await withPage(env, async (page) => {
      page.on('dialog', (d) => void d.accept());
      await signIn(env, page, tenant, { stay: true });
      await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Applications' }).click();
      await page.getByRole('heading', { name: 'Applications', level: 1 }).waitFor();
      await page.getByText('No applications yet.').waitFor();

      // A bad redirect URI is refused beside its field.
      await page.getByLabel('Name').fill('Shop');
      await page.getByLabel('Redirect URIs').fill('not a uri');
      await page.getByRole('button', { name: 'Register application' }).click();
      await page.getByText('must be an absolute URI without a fragment').waitFor();
      await page.getByLabel('Redirect URIs').fill('https://shop.example.com/callback');
      // The algorithm picker is found by its label (Field links it) and says what it is for.
      const alg = page.getByLabel('ID token algorithm');
      expect(await alg.inputValue()).toBe('ES256');
      expect(await alg.getAttribute('aria-describedby')).toBe('app-alg-help');
      await alg.selectOption('RS256');
      await page.getByRole('button', { name: 'Register application' }).click();
      await page.getByRole('heading', { name: 'Shop', level: 1 }).waitFor();

      // The secret: masked, revealed on demand, shown only on this first visit.
      const secretField = page.getByLabel('Client secret', { exact: true });
      expect(await secretField.getAttribute('type')).toBe('password');
      const secret = await secretField.inputValue();
      expect(secret).toMatch(/^pcs_/);
      await page.getByRole('button', { name: 'Reveal' }).click();
      expect(await secretField.getAttribute('type')).toBe('text');

      const [app] = (await env.postern.api('GET', `/t/${tenant}/api/applications`)).body.items as Array<{
        id: string;
        clientId: string;
        idTokenSignedResponseAlg: string;
      }>;
      expect(app!.idTokenSignedResponseAlg).toBe('RS256');
      expect(await page.getByRole('textbox', { name: 'Issuer', exact: true }).inputValue()).toMatch(/\/t\/apps\/oidc$/);
      expect(await page.getByRole('textbox', { name: 'Client id', exact: true }).inputValue()).toBe(app!.clientId);
      expect(await page.getByRole('textbox', { name: 'Redirect URI', exact: true }).inputValue()).toBe('https://shop.example.com/callback');
      for (const name of ['Copy the issuer', 'Copy the client id', 'Copy the redirect uri'])
        await page.getByRole('button', { name }).waitFor();
      const server = await page.getByRole('textbox', { name: 'Node server (openid-client)', exact: true }).inputValue();
      expect(server).toContain(`const CLIENT_ID = "${app!.clientId}";`);
      expect(server).toContain('process.env.POSTERN_CLIENT_SECRET');
      expect(server).not.toContain(secret);
      expect(await page.getByRole('textbox', { name: 'Browser SPA', exact: true }).inputValue()).toContain('code_challenge_method');

      // Edit: CORS origin and logo; a bad origin is refused.
      await page.getByLabel('CORS origins').fill('https://shop.example.com/path');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('must be an origin such as').waitFor();
      await page.getByLabel('CORS origins').fill('https://shop.example.com');
      await page.getByLabel('Logo URL').fill('https://cdn.example.com/shop.png');
      expect(await page.getByLabel('ID token algorithm').inputValue()).toBe('RS256');
      await page.getByLabel('ID token algorithm').selectOption('ES256');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Application saved.').waitFor();
      const saved = (await env.postern.api('GET', `/t/${tenant}/api/applications/${app!.id}`)).body;
      expect([saved.corsOrigins, saved.logoUrl, saved.idTokenSignedResponseAlg]).toEqual([['https://shop.example.com'], 'https://cdn.example.com/shop.png', 'ES256']);

      // Rotate: a new secret, shown once.
      await page.getByRole('button', { name: 'Rotate client secret' }).click();
      await page.getByText('New client secret made').waitFor();
      const rotated = await page.getByLabel('Client secret', { exact: true }).inputValue();
      expect(rotated).toMatch(/^pcs_/);
      expect(rotated).not.toBe(secret);

      // Back on the list, then again on the page: no secret any more.
      await page.getByRole('link', { name: 'Applications' }).first().click();
      await page.getByRole('cell', { name: 'Traditional web app' }).waitFor();
      await page.getByRole('link', { name: 'Shop' }).click();
      await page.getByRole('textbox', { name: 'Client id', exact: true }).waitFor();
      expect(await page.getByLabel('Client secret', { exact: true }).count()).toBe(0);

      await page.getByRole('button', { name: 'Delete application' }).click();
      await page.getByText('No applications yet.').waitFor();
    });
    expect((await env.postern.api('GET', `/t/${tenant}/api/applications`)).body.items).toEqual([]);
  }, 60_000);
});
