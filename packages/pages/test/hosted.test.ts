import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Page } from 'playwright-core';
import { codeFor, mailTo, newTenant, shot, signIn, startConsoleEnv, withPage, wrongCode, type ConsoleEnv } from '../../console/test/browser.js';

// The hosted end-user pages (packages/pages), built, against a real Postern whose
// built-in service captures mail into the mailbox; codes are read from there.
let env: ConsoleEnv;

beforeAll(async () => {
  env = await startConsoleEnv();
});
afterAll(async () => {
  await env?.close();
});

const THAI = /[\u0E00-\u0E7F]/;

async function createUser(tenant: string, email: string, password?: string): Promise<void> {
  const res = await env.postern.api('POST', `/t/${tenant}/api/users`, { email, ...(password ? { password } : {}) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

async function passwordSignIn(page: Page, tenant: string, email: string, password: string): Promise<void> {
  await page.goto(`${env.url}/t/${tenant}/sign-in`);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

describe('hosted pages', () => {
  it('signs up and signs in in Thai: resend countdown, a wrong code, a pasted code, Thai email', async () => {
    const tenant = await newTenant(env, 'hosted-th');
    expect((await env.postern.api('PATCH', `/t/${tenant}/api/verification-code-policy`, { resendCooldownSeconds: 3 })).status).toBe(200);
    const email = 'somchai@example.com';
    await withPage(
      env,
      async (page) => {
        await page.goto(`${env.url}/t/${tenant}/register`);
        // The language comes from the browser's languages.
        await page.getByRole('heading', { name: 'สร้างบัญชี' }).waitFor();
        expect(await page.getByLabel('ภาษา').inputValue()).toBe('th');
        expect(await page.evaluate(() => document.documentElement.lang)).toBe('th');
        await page.getByLabel('อีเมล', { exact: true }).fill(email);
        await page.getByRole('button', { name: 'ส่งรหัส' }).click();

        // The code step: focus on the code field, the server's countdown on the resend button.
        const codeField = page.getByLabel('รหัสยืนยัน');
        await codeField.waitFor();
        await page.waitForFunction(() => document.activeElement?.getAttribute('autocomplete') === 'one-time-code');
        expect(await codeField.getAttribute('inputmode')).toBe('numeric');
        await page.getByText(/ขอรหัสใหม่ได้ในอีก \d วินาที/).waitFor();
        const resend = page.getByRole('button', { name: 'ส่งรหัสใหม่' });
        expect(await resend.isDisabled()).toBe(true);
        await shot(page, 'hosted-th-register-code');

        const first = await codeFor(env, tenant, email, 1);
        const mail = (await mailTo(env, tenant, email, 1))[0]!;
        expect(mail.subject + mail.text).toMatch(THAI);

        await codeField.fill(wrongCode(first));
        await page.getByLabel('รหัสผ่าน', { exact: true }).fill('รหัสผ่านที่ยาวพอ-1');
        await page.getByRole('button', { name: 'สร้างบัญชี' }).click();
        // The message stands at the code field, which takes the focus and is described by it.
        await page.locator('#code-input-err').getByText('รหัสไม่ถูกต้อง ลองได้อีก 4 ครั้ง').waitFor();
        expect(await codeField.getAttribute('aria-invalid')).toBe('true');
        expect(await codeField.getAttribute('aria-describedby')).toContain('code-input-err');
        await page.waitForFunction(() => document.activeElement?.getAttribute('autocomplete') === 'one-time-code');
        await shot(page, 'hosted-th-register-wrong-code');

        // Once the countdown is over, a new code; the first one no longer works.
        await page.locator('button:enabled', { hasText: 'ส่งรหัสใหม่' }).waitFor();
        await resend.click();
        await page.getByText(`กำลังส่งรหัสใหม่ไปที่ ${email}`).waitFor();
        const second = await codeFor(env, tenant, email, 2);
        // Pasted with a space and a dash, as people copy codes.
        await codeField.fill(`${second.slice(0, 3)} -${second.slice(3)}`);
        expect(await codeField.inputValue()).toBe(second);
        await page.getByLabel('ชื่อ (ไม่บังคับ)').fill('สมชาย');
        await page.getByRole('button', { name: 'สร้างบัญชี' }).click();

        await page.getByRole('heading', { name: 'บัญชีของคุณ' }).waitFor().catch(async (e) => {
          throw new Error(`${String(e)}\n${await page.locator('main').innerText()}`);
        });
        expect(page.url()).toBe(`${env.url}/t/${tenant}/account`);
        await page.getByTestId('account-email').getByText(email).waitFor();
        expect(await page.locator('main').innerText()).toContain('สมชาย');
        await shot(page, 'hosted-th-account');

        await page.getByRole('button', { name: 'ออกจากระบบ' }).click();
        await page.getByText('คุณออกจากระบบแล้ว').waitFor();
        expect(await page.evaluate((t) => sessionStorage.getItem(`postern.hosted.${t}.tokens`), tenant)).toBeNull();
        await page.getByLabel('อีเมล', { exact: true }).fill(email);
        await page.getByLabel('รหัสผ่าน', { exact: true }).fill('ผิด-wrong-password');
        await page.getByRole('button', { name: 'เข้าสู่ระบบ', exact: true }).click();
        await page.getByRole('alert').getByText('อีเมลหรือรหัสผ่านไม่ถูกต้อง').waitFor();
        await page.getByLabel('รหัสผ่าน', { exact: true }).fill('รหัสผ่านที่ยาวพอ-1');
        await page.getByRole('button', { name: 'เข้าสู่ระบบ', exact: true }).click();
        await page.getByRole('heading', { name: 'บัญชีของคุณ' }).waitFor();
      },
      { locale: 'th-TH' },
    );
    const users = await env.postern.api('GET', `/t/${tenant}/api/users?search=somchai`);
    expect(users.body.items).toMatchObject([{ email, name: 'สมชาย', emailVerified: true, hasPassword: true }]);
  });

  it('resets a forgotten password end to end, refusing a too-short one', async () => {
    const tenant = await newTenant(env, 'hosted-forgot');
    const email = 'forgetful@example.com';
    await createUser(tenant, email, 'old-password-1');
    await withPage(env, async (page) => {
      await page.goto(`${env.url}/t/${tenant}/sign-in`);
      await page.getByRole('link', { name: 'Forgot your password?' }).click();
      await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
      await page.getByLabel('Email address').fill(email);
      await page.getByRole('button', { name: 'Send code' }).click();
      await page.getByText(`If ${email} has an account, a code is on its way.`).waitFor();
      const code = await codeFor(env, tenant, email);
      await page.getByLabel('Verification code').fill(code);
      await page.getByLabel('New password').fill('short');
      await page.getByRole('button', { name: 'Set new password' }).click();
      await page.locator('#forgot-new-password-err').getByText(/The password must be 8 to \d+ characters long\./).waitFor();
      expect(await page.getByLabel('New password').getAttribute('aria-invalid')).toBe('true');
      await page.getByLabel('New password').fill('new-password-2');
      await page.getByRole('button', { name: 'Set new password' }).click();
      await page.getByText('Your password was changed. Sign in with the new one.').waitFor();
      await shot(page, 'hosted-en-password-changed');

      await passwordSignIn(page, tenant, email, 'old-password-1');
      await page.getByRole('alert').getByText('The email address or the password is wrong.').waitFor();
      await passwordSignIn(page, tenant, email, 'new-password-2');
      await page.getByRole('heading', { name: 'Your account' }).waitFor();
    });
  });

  it('turns email MFA on from the account page, then signs in by code with the MFA step', async () => {
    const tenant = await newTenant(env, 'hosted-mfa');
    // Without account-security notices, so that the mailbox holds only codes (the notices have their own tests).
    expect((await env.postern.api('PATCH', `/t/${tenant}/api/sign-in-experience`, { mfa: { factors: ['email'], policy: 'user-controlled' }, notifications: { passwordChanged: false, emailChanged: false, mfaChanged: false, newSignIn: false } })).status).toBe(200);
    const email = 'careful@example.com';
    await createUser(tenant, email, 'careful-password');
    await withPage(env, async (page) => {
      await passwordSignIn(page, tenant, email, 'careful-password');
      await page.getByRole('heading', { name: 'Your account' }).waitFor();
      await page.getByRole('button', { name: 'Turn on: Two-step sign-in' }).click();
      await page.getByRole('button', { name: 'Send code' }).click();
      await page.getByLabel('Verification code').fill(await codeFor(env, tenant, email, 1));
      await page.getByRole('button', { name: 'Turn on', exact: true }).click();
      await page.getByRole('status').getByText('Two-step sign-in is on.').waitFor();
      await page.getByRole('button', { name: 'Sign out' }).click();

      await page.getByRole('button', { name: 'Email me a code instead' }).click();
      await page.getByLabel('Email address').fill(email);
      await page.getByRole('button', { name: 'Send code' }).click();
      await page.getByLabel('Verification code').fill(await codeFor(env, tenant, email, 2));
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('heading', { name: 'Verify it is you' }).waitFor();
      expect(new URL(page.url()).pathname).toBe(`/t/${tenant}/mfa`);
      await shot(page, 'hosted-en-mfa');
      await page.getByRole('button', { name: 'Email me the code' }).click();
      const code = await codeFor(env, tenant, email, 3);
      await page.getByLabel('Verification code').fill(wrongCode(code));
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.locator('#mfa-code-input-err').getByText(/That code is not right\. \d tries left\./).waitFor();
      await page.getByLabel('Verification code').fill(code);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('heading', { name: 'Your account' }).waitFor();
      await page.getByText('On: each sign-in also asks for a code sent to your email.').waitFor();
    });
    const mails = await mailTo(env, tenant, email, 3);
    expect(mails).toHaveLength(3);
  });

  it('changes the password and the email on the account page after confirming identity', async () => {
    const tenant = await newTenant(env, 'hosted-account');
    // A password-won proof may change the email only without the double confirmation of SPEC §19
    // (the account page does not yet ask for a code to the current address), and without notices
    // in the mailbox: both have their own API tests.
    expect((await env.postern.api('PATCH', `/t/${tenant}/api/sign-in-experience`, { emailChange: { confirmOld: false }, notifications: { passwordChanged: false, emailChanged: false, mfaChanged: false, newSignIn: false } })).status).toBe(200);
    const email = 'mover@example.com';
    await createUser(tenant, email, 'first-password');
    await withPage(env, async (page) => {
      await passwordSignIn(page, tenant, email, 'first-password');
      await page.getByRole('heading', { name: 'Your account' }).waitFor();
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.getByRole('heading', { name: 'First confirm it is you' }).waitFor();
      await page.getByLabel('Current password').fill('not-my-password');
      await page.getByRole('button', { name: 'Confirm', exact: true }).click();
      await page.getByRole('alert').getByText('The email address or the password is wrong.').waitFor();
      await page.getByLabel('Current password').fill('first-password');
      await page.getByRole('button', { name: 'Confirm', exact: true }).click();
      await page.getByLabel('New password').fill('second-password');
      await shot(page, 'hosted-en-account-password');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('status').getByText('Your password was changed.').waitFor();

      // The identity proof still holds: the email change asks only for the new address's code.
      await page.getByRole('button', { name: 'Change email' }).click();
      await page.getByLabel('New email address').fill('moved@example.com');
      await page.getByRole('button', { name: 'Send code' }).click();
      await page.getByLabel('Verification code').fill(await codeFor(env, tenant, 'moved@example.com'));
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('status').getByText('Your email address is now moved@example.com.').waitFor();
      await page.getByTestId('account-email').getByText('moved@example.com').waitFor();

      await page.getByRole('button', { name: 'Sign out' }).click();
      await passwordSignIn(page, tenant, 'moved@example.com', 'first-password');
      await page.getByRole('alert').getByText('The email address or the password is wrong.').waitFor();
      await passwordSignIn(page, tenant, 'moved@example.com', 'second-password');
      await page.getByRole('heading', { name: 'Your account' }).waitFor();
    });
  });

  it('asks for a code to the current address when a password proof does not suffice for an email change (confirmOld, the default)', async () => {
    const tenant = await newTenant(env, 'hosted-confirm-old');
    expect((await env.postern.api('PATCH', `/t/${tenant}/api/sign-in-experience`, { notifications: { passwordChanged: false, emailChanged: false, mfaChanged: false, newSignIn: false } })).status).toBe(200);
    const email = 'careful-mover@example.com';
    await createUser(tenant, email, 'first-password');
    await withPage(env, async (page) => {
      await passwordSignIn(page, tenant, email, 'first-password');
      await page.getByRole('heading', { name: 'Your account' }).waitFor();
      await page.getByRole('button', { name: 'Change email' }).click();
      await page.getByLabel('Current password').fill('first-password');
      await page.getByRole('button', { name: 'Confirm', exact: true }).click();
      await page.getByLabel('New email address').fill('new-home@example.com');
      await page.getByRole('button', { name: 'Send code' }).click();
      await page.getByLabel('Verification code').fill(await codeFor(env, tenant, 'new-home@example.com', 1));
      await page.getByRole('button', { name: 'Save' }).click();
      // The password was not enough: the page asks for a code to the current address only.
      await page.getByText(`first confirm with a code sent to your current address, ${email}`).waitFor();
      expect(await page.getByLabel('Current password').count()).toBe(0);
      await page.getByRole('button', { name: 'Email me a code' }).click();
      await page.getByLabel('Verification code').fill(await codeFor(env, tenant, email, 1));
      // The change waited for that proof and goes through with the code already entered.
      await page.getByRole('button', { name: 'Confirm', exact: true }).click();
      await page.getByRole('status').getByText('Your email address is now new-home@example.com.').waitFor();
      await page.getByTestId('account-email').getByText('new-home@example.com').waitFor();
    });
  });

  it('accepts an invitation made in the console, after signing up as the invitee', async () => {
    const tenant = await newTenant(env, 'hosted-invite');
    const invitee = 'newcomer@example.com';
    await withPage(env, async (admin) => {
      await signIn(env, admin, tenant);
      await admin.getByRole('link', { name: 'Organizations' }).click();
      await admin.getByLabel('New organization name').fill('Acme Thailand');
      await admin.getByRole('button', { name: 'Create organization' }).click();
      await admin.getByRole('heading', { name: 'Acme Thailand' }).waitFor();
      await admin.getByLabel('Email', { exact: true }).fill(invitee);
      await admin.getByRole('button', { name: 'Send invitation' }).click();
      await admin.getByText(`Invitation sent to ${invitee}.`).waitFor();
      await admin.getByRole('table', { name: 'Invitations' }).getByText('pending').waitFor();

      const mail = (await mailTo(env, tenant, invitee))[0]!;
      const token = /\/invitation\/([A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
      expect(token, 'the invitation link in the email').toBeTruthy();

      await withPage(env, async (page) => {
        await page.goto(`${env.url}/t/${tenant}/invitation/${token}`);
        await page.getByText('You are invited to join Acme Thailand.').waitFor();
        await shot(page, 'hosted-en-invitation');
        await page.getByRole('link', { name: 'Create an account' }).click();
        await page.getByLabel('Email address').fill(invitee);
        await page.getByRole('button', { name: 'Send code' }).click();
        await page.getByLabel('Verification code').fill(await codeFor(env, tenant, invitee, 2));
        await page.getByLabel('Password', { exact: true }).fill('newcomer-password');
        await page.getByRole('button', { name: 'Create an account' }).click();
        // Back on the invitation, signed in as the invited address.
        await page.getByText(`Signed in as ${invitee}.`).waitFor();
        expect(new URL(page.url()).pathname).toBe(`/t/${tenant}/invitation/${token}`);
        await page.getByRole('button', { name: 'Accept the invitation' }).click();
        await page.getByText('Welcome to Acme Thailand! You are now a member.').waitFor();
        await shot(page, 'hosted-en-invitation-accepted');
        // Accepted once, it cannot be used again.
        await page.reload();
        await page.getByText('This invitation can no longer be used').waitFor();
      });

      await admin.getByRole('button', { name: 'Refresh members' }).click();
      await admin.getByRole('list', { name: 'Members' }).getByText(invitee).waitFor();
      await admin.reload();
      await admin.getByRole('table', { name: 'Invitations' }).getByText('accepted').waitFor();
      await shot(admin, 'console-organization');
    });
  });

  it('explains an invitation for another address', async () => {
    const tenant = await newTenant(env, 'hosted-mismatch');
    const org = await env.postern.api('POST', `/t/${tenant}/api/organizations`, { name: 'Other Org' });
    const inv = await env.postern.api('POST', `/t/${tenant}/api/organizations/${org.body.id}/invitations`, { email: 'invited@example.com' });
    expect(inv.status).toBe(201);
    const token = /\/invitation\/([^/?#]+)$/.exec(inv.body.link)![1]!;
    await createUser(tenant, 'someone-else@example.com', 'someone-password');
    await withPage(env, async (page) => {
      await page.goto(`${env.url}/t/${tenant}/sign-in?redirect=${encodeURIComponent(`/t/${tenant}/invitation/${token}`)}`);
      await page.getByLabel('Email address').fill('someone-else@example.com');
      await page.getByLabel('Password', { exact: true }).fill('someone-password');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('button', { name: 'Accept the invitation' }).click();
      await page.getByRole('alert').getByText('This invitation is for invited@example.com, but you are signed in as someone-else@example.com.').waitFor();
    });
  });

  it('at 360 px in dark mode: every page centred inside the screen, the language picker in the card', async () => {
    const tenant = await newTenant(env, 'hosted-phone');
    await withPage(
      env,
      async (page) => {
        for (const p of ['sign-in', 'register', 'forgot-password', 'mfa']) {
          await page.goto(`${env.url}/t/${tenant}/${p}`);
          await page.locator('h1').waitFor();
          const box = await page.evaluate(() => {
            const card = document.querySelector('main.hosted-card')!.getBoundingClientRect();
            const width = document.documentElement.clientWidth;
            const [r, g, b] = (getComputedStyle(document.documentElement).backgroundColor.match(/\d+/g) ?? []).map(Number);
            return { left: card.left, right: width - card.right, overflow: document.documentElement.scrollWidth - width, dark: r! + g! + b! < 150 };
          });
          expect(box.overflow, p).toBeLessThanOrEqual(0);
          expect(Math.abs(box.left - box.right), p).toBeLessThanOrEqual(1);
          expect(box.dark, p).toBe(true);
          expect(await page.locator('main.hosted-card #hosted-lang').count()).toBe(1);
          await shot(page, `hosted-phone-dark-${p}`);
        }
      },
      { viewport: { width: 360, height: 740 }, colorScheme: 'dark' },
    );
  });

  it('takes a screenshot of every hosted page in English and Thai', async () => {
    const tenant = await newTenant(env, 'hosted-shots');
    await createUser(tenant, 'shots@example.com', 'shots-password');
    const org = await env.postern.api('POST', `/t/${tenant}/api/organizations`, { name: 'Shots Co' });
    const inv = await env.postern.api('POST', `/t/${tenant}/api/organizations/${org.body.id}/invitations`, { email: 'shots@example.com' });
    const token = /\/invitation\/([^/?#]+)$/.exec(inv.body.link)![1]!;
    for (const lang of ['en', 'th'] as const) {
      await withPage(
        env,
        async (page) => {
          for (const p of ['sign-in', 'register', 'forgot-password', 'mfa']) {
            await page.goto(`${env.url}/t/${tenant}/${p}`);
            await page.locator('h1').waitFor();
            expect(await page.locator('h1').innerText()).toMatch(lang === 'th' ? THAI : /^[A-Z]/);
            await shot(page, `hosted-${lang}-${p}`);
          }
          await page.goto(`${env.url}/t/${tenant}/invitation/${token}`);
          await page.locator('.facts').waitFor();
          await shot(page, `hosted-${lang}-invitation`);
          await page.goto(`${env.url}/t/${tenant}/sign-in`);
          await page.locator('#signin-email').fill('shots@example.com');
          await page.locator('#signin-password').fill('shots-password');
          await page.locator('form button[type=submit]').click();
          await page.getByTestId('account-email').waitFor();
          await shot(page, `hosted-${lang}-account`);
        },
        { locale: lang === 'th' ? 'th-TH' : 'en-US', viewport: { width: 480, height: 860 } },
      );
    }
  });
});
