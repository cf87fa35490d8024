import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { newTenant, startConsoleEnv, type ConsoleEnv } from './browser.js';
import { auditPage, VIEWS, type View } from './a11y.js';

// Issue 20: every console page, in light and dark mode, on a desktop and at 360 px, with a
// tenant that has data on every page: axe-core finds no serious or critical violation and
// nothing is wider than a phone. A real Postern; screenshots go to test-results/screenshots/.
let env: ConsoleEnv;
const tenant = 'a11y';
let ids: { user: string; org: string; app: string; log: string };

async function ok(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await env.postern.api(method, `/t/${tenant}${path}`, body);
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Record<string, unknown>;
}

beforeAll(async () => {
  // The webhook endpoint is on loopback (nothing listens there: its deliveries fail, which the page shows).
  env = await startConsoleEnv({ POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32' });
  await newTenant(env, tenant);
  await ok('PATCH', '/api/branding', {
    companyName: 'Acme Widgets',
    primaryColor: '#e11d48',
    supportEmail: 'help@acme.example',
  });
  const user = await ok('POST', '/api/users', {
    email: 'ada.lovelace@example.com',
    password: 'a long password 1',
    name: 'Ada Lovelace',
  });
  await ok('POST', '/api/users', { email: 'grace.hopper@example.com', name: 'Grace Hopper' });
  await ok('POST', '/api/experience/sign-in/password', {
    email: 'ada.lovelace@example.com',
    password: 'a long password 1',
  });
  await ok('POST', '/api/experience/verification-codes', { email: 'new.person@example.com', intent: 'register' });
  await ok('POST', '/api/connectors/test', { factoryId: 'builtin', config: {}, to: 'probe@example.com' });
  const org = await ok('POST', '/api/organizations', { name: 'Analytical Engines' });
  await ok('POST', `/api/organizations/${org.id as string}/invitations`, { email: 'charles.babbage@example.com' });
  const app = await ok('POST', '/api/applications', {
    name: 'Acme Shop',
    type: 'spa',
    redirectUris: ['https://shop.example.com/callback'],
  });
  await ok('POST', '/api/suppressions', { email: 'bounced@example.com', reason: 'complaint' });
  await ok('POST', '/api/webhooks', { url: 'http://127.0.0.1:9/postern', events: ['email.sent', 'user.created'] });
  await ok('POST', '/api/smtp-credentials', { name: 'Billing app', allowedFromDomains: ['example.com'] });
  await ok('POST', '/api/dkim-keys', { domain: 'example.com', selector: 'postern' });
  await ok('POST', '/api/integrations', { kind: 'logto', name: 'Logto' });
  await ok('POST', '/api/admin-keys', { name: 'deploy key' });
  // The sends land after the API answers: wait for the log to hold them.
  let logs: { id: string }[] = [];
  for (let i = 0; i < 200 && logs.length < 2; i++) {
    logs = (await ok('GET', '/api/email-logs')).items as { id: string }[];
    if (logs.length < 2) await new Promise((r) => setTimeout(r, 25));
  }
  ids = { user: user.id as string, org: org.id as string, app: (app.id ?? app.clientId) as string, log: logs[0]!.id };
}, 60_000);
afterAll(async () => {
  await env?.close();
});

/** Every route of the console's router (src/App.tsx), with this tenant's ids in the detail routes. */
function routes(): [string, string][] {
  return [
    ['getting started', '/getting-started'],
    ['connectors', '/connectors'],
    ['connector providers', '/connectors/new'],
    ['connector setup smtp', '/connectors/new/smtp'],
    ['fallback providers', '/connectors/fallback/new'],
    ['fallback setup sendgrid', '/connectors/fallback/new/sendgrid'],
    ['email templates', '/email-templates'],
    ['template editor', '/email-templates/en/SignIn'],
    ['branding', '/branding'],
    ['sign-in experience', '/sign-in-experience'],
    ['code policy', '/code-policy'],
    ['users', '/users'],
    ['user detail', `/users/${encodeURIComponent(ids.user)}`],
    ['organizations', '/organizations'],
    ['organization detail', `/organizations/${encodeURIComponent(ids.org)}`],
    ['applications', '/applications'],
    ['application detail', `/applications/${encodeURIComponent(ids.app)}`],
    ['email logs', '/email-logs'],
    ['email log detail', `/email-logs/${encodeURIComponent(ids.log)}`],
    ['suppressions', '/suppressions'],
    ['webhooks', '/webhooks'],
    ['deliverability', '/deliverability'],
    ['mailbox', '/mailbox'],
    ['outbox', '/outbox'],
    ['integrations', '/integrations'],
    ['smtp relay', '/smtp-relay'],
    ['bot protection', '/bot-protection'],
    ['email domain policy', '/email-policy'],
    ['tenant settings', '/tenant'],
    ['not found', '/no-such-page'],
  ];
}

// A page added to the navigation without being added above would go unchecked.
it('checks every route of the navigation', () => {
  const app = readFileSync(new URL('../src/App.tsx', import.meta.url), 'utf8');
  const navRoutes = [...app.matchAll(/\{ route: '([^']+)', label:/g)].map((m) => m[1]!);
  expect(navRoutes.length).toBeGreaterThan(15);
  const checked = new Set(routes().map(([, r]) => r));
  expect(navRoutes.filter((r) => !checked.has(r))).toEqual([]);
});

/** Waits until the page has its heading and its data: no loading line, nothing busy, the network quiet. */
async function settled(page: Page): Promise<void> {
  await page.locator('main h1, main h2').first().waitFor();
  await page.waitForLoadState('networkidle');
  await page.waitForFunction(() => !document.querySelector('.loading, [aria-busy="true"]'));
}

for (const view of VIEWS) {
  describe(`console pages, ${view.scheme}, ${view.width}px`, () => {
    let context: BrowserContext;
    let page: Page;
    const errors: string[] = [];

    beforeAll(async () => {
      context = await env.browser.newContext({ viewport: { width: view.width, height: view.height } });
      context.setDefaultTimeout(10_000);
      page = await context.newPage();
      await page.emulateMedia({ colorScheme: view.scheme });
      page.on('pageerror', (e) => errors.push(e.message));
    });
    afterAll(async () => {
      await context?.close();
    });

    it('the sign-in page', async () => {
      await page.goto(`${env.url}/console/`);
      await page.getByLabel('Admin key').waitFor();
      const problems = await auditPage(page, 'console sign-in', view as View);
      expect(problems.length, problems.join('\n')).toBe(0);
      await page.getByLabel('Admin key').fill(env.postern.adminKey);
      await page.getByLabel('Tenant', { exact: true }).fill(tenant);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Getting started' }).waitFor();
    });

    it('every page of the router', async () => {
      const problems: string[] = [];
      for (const [name, route] of routes()) {
        await page.goto(`${env.url}/console${route}`);
        await settled(page);
        // A page that could not read its data would be audited empty: that is a failure too.
        const failed = await page.locator('main [role="alert"][data-code]').allInnerTexts();
        if (failed.length) problems.push(`console ${name}: the page shows an error: ${failed.join(' | ')}`);
        problems.push(...(await auditPage(page, `console ${name}`, view as View)));
      }
      expect(problems.length, `${problems.length} problem(s):\n${problems.join('\n')}`).toBe(0);
      expect(errors).toEqual([]);
    }, 240_000);

    if (view.width <= 400) {
      it('the navigation opened behind the Menu button', async () => {
        await page.goto(`${env.url}/console/users`);
        await settled(page);
        await page.getByRole('button', { name: 'Menu' }).click();
        await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Branding' }).waitFor();
        const problems = await auditPage(page, 'console menu open', view as View);
        expect(problems.length, problems.join('\n')).toBe(0);
      });
    }
  });
}
