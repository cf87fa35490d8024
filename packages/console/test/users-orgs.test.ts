import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startSmtpPeer, type SmtpPeer } from '../../server/src/testing/peers/smtp.js';
import { newTenant, shot, signIn, startConsoleEnv, withPage, type ConsoleEnv } from './browser.js';

// The console's Users and Organizations pages against a real Postern in chromium.
let env: ConsoleEnv;
let smtp: SmtpPeer;

beforeAll(async () => {
  smtp = await startSmtpPeer({ rejectRecipients: ['blocked@example.com'] });
  try {
    env = await startConsoleEnv({ POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32' });
  } catch (e) {
    await smtp.close();
    throw e;
  }
});
afterAll(async () => {
  await env?.close();
  await smtp?.close();
});

describe('console users and organizations', () => {
  it('creates, searches, renames and deletes users', async () => {
    const tenant = await newTenant(env, 'users');
    for (const email of ['ann@example.com', 'bob@example.com']) expect((await env.postern.api('POST', `/t/${tenant}/api/users`, { email })).status).toBe(201);
    await withPage(env, async (page) => {
      await signIn(env, page, tenant);
      await page.getByRole('link', { name: 'Users' }).click();
      await page.getByRole('heading', { name: 'Users' }).waitFor();
      await page.getByRole('cell', { name: /^ann@example\.com/ }).waitFor();

      await page.getByText('Create a user').click();
      await page.getByLabel('Email', { exact: true }).fill('carol@example.com');
      await page.getByLabel('Name (optional)').fill('Carol');
      await page.getByLabel('Password (optional)').fill('short');
      await page.getByRole('button', { name: 'Create user' }).click();
      await page.locator('[role=alert][data-code="password.policy_violation"]').waitFor();
      await page.getByLabel('Password (optional)').fill('carol-password');
      await page.getByRole('button', { name: 'Create user' }).click();
      await page.getByText('User carol@example.com created.').waitFor();
      await page.getByRole('cell', { name: /^carol@example\.com/ }).waitFor();
      // The same address again is refused with the API's code.
      await page.getByLabel('Email', { exact: true }).fill('carol@example.com');
      await page.getByRole('button', { name: 'Create user' }).click();
      await page.locator('[role=alert][data-code="user.email_exists"]').waitFor();
      await shot(page, 'console-users');

      await page.getByLabel('Search', { exact: true }).fill('bob');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await page.getByRole('cell', { name: /^ann@example\.com/ }).waitFor({ state: 'detached' });
      expect(await page.locator('tbody tr').count()).toBe(1);

      await page.getByRole('button', { name: 'Edit name of bob@example.com' }).click();
      await page.getByLabel('Name of bob@example.com', { exact: true }).fill('Bob Builder');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByRole('cell', { name: 'Bob Builder' }).waitFor();

      await page.getByRole('button', { name: 'Delete bob@example.com' }).click();
      const confirm = page.getByRole('alertdialog', { name: 'Delete bob@example.com?' });
      await confirm.waitFor();
      await shot(page, 'console-users-delete');
      // Nothing is deleted before the confirmation.
      expect((await env.postern.api('GET', `/t/${tenant}/api/users?search=bob`)).body.items).toHaveLength(1);
      await confirm.getByRole('button', { name: 'Yes, delete' }).click();
      await page.getByText('User bob@example.com deleted.').waitFor();
      await page.getByText('No user matches “bob”.').waitFor();
    });
    const left = await env.postern.api('GET', `/t/${tenant}/api/users`);
    expect(left.body.items.map((u: { email: string }) => u.email).sort()).toEqual(['ann@example.com', 'carol@example.com']);
    expect(left.body.items.find((u: { email: string }) => u.email === 'carol@example.com')).toMatchObject({ name: 'Carol', hasPassword: true });
  });

  it('pages through users with Load more', async () => {
    const tenant = await newTenant(env, 'users-paging');
    for (let i = 0; i < 52; i++) expect((await env.postern.api('POST', `/t/${tenant}/api/users`, { email: `u${i}@example.com` })).status).toBe(201);
    await withPage(env, async (page) => {
      await signIn(env, page, tenant);
      await page.getByRole('link', { name: 'Users' }).click();
      await page.locator('tbody tr').nth(49).waitFor();
      expect(await page.locator('tbody tr').count()).toBe(50);
      await page.getByRole('button', { name: 'Load more' }).click();
      await page.locator('tbody tr').nth(51).waitFor();
      expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);
    });
  });

  it('shows the connector error of a failed invitation, leaving none; resends and revokes', async () => {
    const tenant = await newTenant(env, 'orgs');
    const put = await env.postern.api('PUT', `/t/${tenant}/api/connectors/email`, { factoryId: 'smtp', config: { host: '127.0.0.1', port: smtp.port, fromEmail: 'auth@example.com' } });
    expect(put.status).toBe(200);
    await withPage(env, async (page) => {
      await signIn(env, page, tenant);
      await page.getByRole('link', { name: 'Organizations' }).click();
      await page.getByText('No organizations yet.').waitFor();
      await page.getByLabel('New organization name').fill('Globex');
      await page.getByRole('button', { name: 'Create organization' }).click();
      await page.getByRole('heading', { name: 'Globex' }).waitFor();

      await page.getByLabel('Email', { exact: true }).fill('blocked@example.com');
      await page.getByRole('button', { name: 'Send invitation' }).click();
      const failed = page.getByRole('alert').filter({ hasText: 'The invitation was not sent.' });
      await failed.waitFor();
      expect(await failed.getAttribute('data-code')).toBe('connector.rejected_recipient');
      expect(await failed.innerText()).not.toContain('connector.');
      await page.getByText('No invitations yet.').waitFor();
      await shot(page, 'console-invitation-failed');

      await page.getByLabel('Email', { exact: true }).fill('guest@example.com');
      await page.getByRole('button', { name: 'Send invitation' }).click();
      await page.getByText('Invitation sent to guest@example.com.').waitFor();
      await page.getByRole('button', { name: 'Resend invitation to guest@example.com' }).click();
      await page.getByText('Invitation sent again to guest@example.com; the earlier link no longer works.').waitFor();
      expect(smtp.messages.filter((m) => m.to.includes('guest@example.com'))).toHaveLength(2);
      await page.getByRole('button', { name: 'Revoke invitation to guest@example.com' }).click();
      await page.getByText('Invitation to guest@example.com revoked.').waitFor();
      await page.getByRole('table', { name: 'Invitations' }).getByText('revoked').waitFor();
      await shot(page, 'console-invitations');

      await page.getByRole('link', { name: 'Organizations' }).first().click();
      await page.getByRole('list', { name: 'Organizations' }).getByRole('link', { name: 'Globex' }).waitFor();
      await shot(page, 'console-organizations');
    });
    const orgs = await env.postern.api('GET', `/t/${tenant}/api/organizations`);
    const invs = await env.postern.api('GET', `/t/${tenant}/api/organizations/${orgs.body.items[0].id}/invitations`);
    expect(invs.body.items.map((i: { email: string; status: string }) => [i.email, i.status])).toEqual([['guest@example.com', 'revoked']]);
  });
});
