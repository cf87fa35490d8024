import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  mailTo,
  newTenant,
  shot,
  startConsoleEnv,
  withPage,
  type CapturedMail,
  type ConsoleEnv,
} from '../../console/test/browser.js';

// Account-security mail (SPEC §19), each notice caused the way a person causes it: in a
// browser, through the hosted pages, against a real Postern whose built-in service captures
// the mail into the mailbox. The API-level rules (switches, masking, device memory) have
// their own tests in packages/server/test/identity/notices.test.ts.
let env: ConsoleEnv;

beforeAll(async () => {
  env = await startConsoleEnv();
});
afterAll(async () => {
  await env?.close();
});

/** The message to `to` whose subject matches, once it has arrived (notices go out after the answer). */
async function noticeTo(tenant: string, to: string, subject: RegExp): Promise<CapturedMail> {
  for (let i = 0; i < 100; i++) {
    const found = (await mailTo(env, tenant, to, 1)).find((m) => subject.test(m.subject));
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no message "${String(subject)}" reached ${to}`);
}

/** The code of the newest message to `to` that carries one (notices to the same address carry none). */
async function newestCode(tenant: string, to: string, after: number): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const codes = (await mailTo(env, tenant, to, 0))
      .map((m) => /^\s*([0-9A-Z]{4,10})\s*$/m.exec(m.text)?.[1])
      .filter((c): c is string => c !== undefined);
    if (codes.length > after) return codes.at(-1)!;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no new code reached ${to}`);
}

/** How many messages with a code `to` has had so far. */
async function codesSoFar(tenant: string, to: string): Promise<number> {
  return (await mailTo(env, tenant, to, 0)).filter((m) => /^\s*[0-9A-Z]{4,10}\s*$/m.test(m.text)).length;
}

async function passwordSignIn(page: Page, tenant: string, email: string, password: string): Promise<void> {
  await page.goto(`${env.url}/t/${tenant}/sign-in`);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { name: 'Your account' }).waitFor();
}

describe('account-security notices from the hosted pages', () => {
  it('mails a new-device sign-in, a password change, two-step sign-in turned on, an email change to the old address, and a sign-in attempt for an unknown address', async () => {
    const tenant = await newTenant(env, 'notices-walk');
    const set = await env.postern.api('PATCH', `/t/${tenant}/api/sign-in-experience`, {
      mfa: { factors: ['email'], policy: 'user-controlled' },
      notifications: { passwordChanged: true, emailChanged: true, mfaChanged: true, newSignIn: true },
      emailChange: { confirmOld: false },
      notifyUnknownRecipients: true,
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    const email = 'notice.me@example.com';
    expect(
      (await env.postern.api('POST', `/t/${tenant}/api/users`, { email, password: 'first-password' })).status,
    ).toBe(201);

    // A first browser becomes a known device; a second one is reported, with its browser named.
    await withPage(env, async (page) => passwordSignIn(page, tenant, email, 'first-password'));
    const before = (await mailTo(env, tenant, email, 0)).filter((m) => /New sign-in/.test(m.subject)).length;
    await withPage(env, async (page) => {
      await passwordSignIn(page, tenant, email, 'first-password');
      const device = await noticeTo(tenant, email, /New sign-in/);
      expect(device.text, device.text).toMatch(/Chrom/);
      expect((await mailTo(env, tenant, email, 0)).filter((m) => /New sign-in/.test(m.subject)).length).toBe(
        before + 1,
      );

      // The password, after confirming it is you.
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.getByLabel('Current password').fill('first-password');
      await page.getByRole('button', { name: 'Confirm', exact: true }).click();
      await page.getByLabel('New password').fill('second-password');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('status').getByText('Your password was changed.').waitFor();
      const changed = await noticeTo(tenant, email, /password was changed/);
      expect(changed.text).not.toMatch(/second-password|first-password/);

      // Two-step sign-in on.
      await page.getByRole('button', { name: 'Turn on: Two-step sign-in' }).click();
      const mfaCodes = await codesSoFar(tenant, email);
      await page.getByRole('button', { name: 'Send code' }).click();
      await page.getByLabel('Verification code').fill(await newestCode(tenant, email, mfaCodes));
      await page.getByRole('button', { name: 'Turn on', exact: true }).click();
      await page.getByRole('status').getByText('Two-step sign-in is on.').waitFor();
      await noticeTo(tenant, email, /Two-step verification changed/);

      // The email address: the old one hears of it, the new one is not spelled out to it.
      await page.getByRole('button', { name: 'Change email' }).click();
      await page.getByLabel('New email address').fill('moved.notice@example.com');
      await page.getByRole('button', { name: 'Send code' }).click();
      await page.getByLabel('Verification code').fill(await newestCode(tenant, 'moved.notice@example.com', 0));
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('status').getByText('Your email address is now moved.notice@example.com.').waitFor();
      const moved = await noticeTo(tenant, email, /email address of your .* was changed/);
      expect(`${moved.subject}\n${moved.text}\n${moved.html}`).not.toContain('moved.notice@example.com');
      await shot(page, 'hosted-notices-account');
    });

    // A password reset asked for an address no account uses: the page answers as for any
    // address, and the address is told someone tried, with no code in the message.
    await withPage(env, async (page) => {
      await page.goto(`${env.url}/t/${tenant}/forgot-password`);
      await page.getByLabel('Email address').fill('nobody.here@example.com');
      await page.getByRole('button', { name: 'Send code' }).click();
      await page.getByLabel('Verification code').waitFor();
    });
    const attempt = await noticeTo(tenant, 'nobody.here@example.com', /Sign-in attempt/);
    expect(attempt.text).toMatch(/no account uses it/);
    expect(attempt.text).not.toMatch(/^\s*[0-9]{6}\s*$/m);
  }, 90_000);
});
