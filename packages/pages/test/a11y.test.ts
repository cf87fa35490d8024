import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { codeFor, mailTo, newTenant, startConsoleEnv, type ConsoleEnv } from '../../console/test/browser.js';
import { auditPage, VIEWS, type View } from '../../console/test/a11y.js';

// Issue 20: every hosted page and step, in light and dark mode, on a desktop and at 360 px,
// for a tenant wearing a bright brand colour and one that has none: axe-core finds no serious
// or critical violation, and nothing is wider than a phone. Screenshots go to test-results/screenshots/.
let env: ConsoleEnv;
const branded = 'a11y-brand';
const plain = 'a11y-plain';
const password = 'a long password 1';
const tokens: Record<string, { invitation: string; magicLink: string }> = {};

async function ok(tenant: string, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await env.postern.api(method, `/t/${tenant}${path}`, body);
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Record<string, unknown>;
}

beforeAll(async () => {
  env = await startConsoleEnv();
  for (const tenant of [branded, plain]) {
    await newTenant(env, tenant);
    // A yellow that needs darkening on the light card (branding.ts keeps it readable).
    if (tenant === branded) await ok(tenant, 'PATCH', '/api/branding', { companyName: 'Acme Widgets', primaryColor: '#ffcc00' });
    await ok(tenant, 'PATCH', '/api/sign-in-experience', {
      signIn: { methods: [{ identifier: 'email', password: true, verificationCode: true, magicLink: true }] },
      mfa: { factors: ['email'], policy: 'user-controlled' },
      // Only codes in the mailbox: the account-security notices have their own tests.
      notifications: { passwordChanged: false, emailChanged: false, mfaChanged: false, newSignIn: false },
    });
    // Each view asks Grace's MFA code again within the minute.
    await ok(tenant, 'PATCH', '/api/verification-code-policy', { resendCooldownSeconds: 0 });
    await ok(tenant, 'POST', '/api/users', { email: 'ada.lovelace@example.com', password, name: 'Ada Lovelace' });
    // Grace turns email MFA on through the account API, so that her sign-in has the MFA step.
    await ok(tenant, 'POST', '/api/users', { email: 'grace.hopper@example.com', password, name: 'Grace Hopper' });
    const signedIn = await ok(tenant, 'POST', '/api/experience/sign-in/password', { email: 'grace.hopper@example.com', password });
    const mine = async (path: string, body: unknown) => {
      const res = await fetch(`${env.url}/t/${tenant}${path}`, { method: 'POST', headers: { authorization: `Bearer ${(signedIn.tokens as { accessToken: string }).accessToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (res.status >= 300) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as Record<string, unknown>;
    };
    const started = await mine('/api/my-account/mfa/email', {});
    await mine('/api/my-account/mfa/email/verify', { verificationId: started.verificationId, code: await codeFor(env, tenant, 'grace.hopper@example.com') });
    const org = await ok(tenant, 'POST', '/api/organizations', { name: 'Analytical Engines' });
    await ok(tenant, 'POST', `/api/organizations/${org.id as string}/invitations`, { email: 'charles.babbage@example.com' });
    await ok(tenant, 'POST', '/api/experience/magic-links', { email: 'ada.lovelace@example.com', intent: 'sign-in' });
    const invitation = /\/invitation\/([\w.-]+)/.exec((await mailTo(env, tenant, 'charles.babbage@example.com'))[0]!.text)?.[1];
    const magicLink = /\/magic-link\/([\w.-]+)/.exec((await mailTo(env, tenant, 'ada.lovelace@example.com'))[0]!.text)?.[1];
    if (!invitation || !magicLink) throw new Error('no invitation or magic link in the mail');
    tokens[tenant] = { invitation, magicLink };
  }
}, 60_000);
afterAll(async () => {
  await env?.close();
});

/** Waits for the card's heading and for the branding and language to be read. */
async function settled(page: Page): Promise<void> {
  await page.locator('main h1').waitFor();
  await page.waitForLoadState('networkidle');
}

for (const tenant of [branded, plain]) {
  for (const view of VIEWS) {
    describe(`hosted pages of ${tenant}, ${view.scheme}, ${view.width}px`, () => {
      it('every page and step', async () => {
        const context = await env.browser.newContext({ viewport: { width: view.width, height: view.height }, locale: 'en-US' });
        context.setDefaultTimeout(10_000);
        const errors: string[] = [];
        const problems: string[] = [];
        try {
          const page = await context.newPage();
          await page.emulateMedia({ colorScheme: view.scheme });
          page.on('pageerror', (e) => errors.push(e.message));
          const base = `${env.url}/t/${tenant}`;
          const audit = async (name: string) => problems.push(...(await auditPage(page, `hosted ${tenant} ${name}`, view as View)));
          const visit = async (path: string, name: string) => {
            await page.goto(`${base}${path}`);
            await settled(page);
            await audit(name);
          };

          await visit('/sign-in', 'sign-in');
          // A wrong password: the error beside the form.
          await page.getByLabel('Email address').fill('ada.lovelace@example.com');
          await page.getByLabel('Password', { exact: true }).fill('not the password');
          await page.getByRole('button', { name: 'Sign in', exact: true }).click();
          await page.getByRole('alert').waitFor();
          await audit('sign-in wrong password');

          await visit('/register', 'register');
          // The code step, with its resend countdown.
          const newcomer = `new.${view.scheme}.${view.width}@example.com`;
          await page.getByLabel('Email address', { exact: true }).fill(newcomer);
          await page.getByRole('button', { name: 'Send code' }).click();
          await page.getByLabel('Verification code').waitFor();
          await audit('register code step');
          // A wrong code: the error at the field.
          const code = await codeFor(env, tenant, newcomer);
          await page.getByLabel('Verification code').fill(code === '000000' ? '111111' : '000000');
          await page.getByLabel('Password', { exact: true }).fill(password);
          await page.getByRole('button', { name: 'Create an account' }).click();
          await page.locator('[aria-invalid="true"]').first().waitFor();
          await audit('register wrong code');

          await visit('/forgot-password', 'forgot-password');
          await visit('/mfa', 'mfa without a challenge');
          await visit(`/invitation/${tokens[tenant]!.invitation}`, 'invitation');
          await visit('/invitation/no-such-invitation', 'invitation unknown');
          await visit(`/magic-link/${tokens[tenant]!.magicLink}`, 'magic-link confirm');
          await visit('/magic-link/no-such-link', 'magic-link unknown');
          await page.getByRole('button', { name: 'Sign in', exact: true }).click();
          await page.getByRole('alert').waitFor();
          await audit('magic-link refused');

          // The MFA step of Grace's sign-in, and its code step.
          await page.goto(`${base}/sign-in`);
          await page.getByLabel('Email address').fill('grace.hopper@example.com');
          await page.getByLabel('Password', { exact: true }).fill(password);
          await page.getByRole('button', { name: 'Sign in', exact: true }).click();
          await page.getByRole('heading', { name: 'Verify it is you' }).waitFor();
          await settled(page);
          await audit('mfa');
          await page.getByRole('button', { name: 'Email me the code' }).click();
          await page.getByLabel('Verification code').waitFor();
          await audit('mfa code step');

          // Signed in: the account page.
          await page.goto(`${base}/sign-in`);
          await page.getByLabel('Email address').fill('ada.lovelace@example.com');
          await page.getByLabel('Password', { exact: true }).fill(password);
          await page.getByRole('button', { name: 'Sign in', exact: true }).click();
          await page.getByRole('heading', { name: 'Your account' }).waitFor();
          await settled(page);
          await audit('account');
        } finally {
          await context.close();
        }
        expect(problems.length, `${problems.length} problem(s):\n${problems.join('\n')}`).toBe(0);
        expect(errors).toEqual([]);
      }, 120_000);
    });
  }
}
