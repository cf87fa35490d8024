import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startSmtpPeer, type SmtpPeer } from '../../server/src/testing/peers/smtp.js';
import { startWebhookPeer, type WebhookPeer } from '../../server/src/testing/peers/webhook.js';
import { newTenant, shot, signIn, startConsoleEnv, withPage, type ConsoleEnv } from './browser.js';

// The fallback connector, connector health and the Outbox page (SPEC §15) in chromium,
// against a real Postern, a real SMTP server and a webhook receiver that fails on cue.
let env: ConsoleEnv;
let smtp: SmtpPeer;
let failing: WebhookPeer;

beforeAll(async () => {
  smtp = await startSmtpPeer();
  failing = await startWebhookPeer({ script: [503, 503, 503] });
  env = await startConsoleEnv({ POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32' });
});

afterAll(async () => {
  await env?.close();
  await smtp?.close();
  await failing?.close();
});

describe('durable delivery in the console', () => {
  it('adds a fallback connector with the same set-up flow (test before save) and shows a health line per connector', async () => {
    const tenant = await newTenant(env, 'fallback');
    await withPage(env, async (page) => {
      await signIn(env, page, tenant);
      await page.getByRole('heading', { name: 'Fallback connector' }).waitFor();
      await page.getByRole('button', { name: 'Add a fallback connector' }).click();
      await page.getByRole('heading', { name: 'Choose a fallback provider' }).waitFor();
      await page.getByRole('button', { name: /^SMTP/ }).click();
      await page.getByRole('heading', { name: 'Set up SMTP as the fallback' }).waitFor();
      await page.getByLabel('Host').fill('127.0.0.1');
      await page.getByLabel('Port').fill(String(smtp.port));
      // The local peer speaks plain SMTP; the form starts with STARTTLS required (port 587).
      await page.getByLabel('Require STARTTLS').uncheck();
      await page.getByLabel('From email').fill('fallback@example.com');
      await page.getByLabel('Send to').fill('check@example.com');
      await page.getByRole('button', { name: 'Send test email' }).click();
      await page.getByRole('status').filter({ hasText: 'Test email sent to check@example.com.' }).waitFor();
      expect(smtp.messages.filter((m) => m.to.includes('check@example.com'))).toHaveLength(1);
      await page.getByRole('button', { name: 'Save and Done' }).click();
      await page.getByText('SMTP is now the fallback connector.').waitFor();
      // The built-in service stays the primary; both carry a health line.
      await page.getByRole('heading', { name: 'Built-in email service' }).waitFor();
      await page.getByRole('button', { name: 'Change fallback connector' }).waitFor();
      await shot(page, 'delivery-01-fallback');
    });
    const fb = await env.postern.api('GET', `/t/${tenant}/api/connectors/email/fallback`);
    expect(fb.body).toMatchObject({
      factoryId: 'smtp',
      config: { host: '127.0.0.1', port: smtp.port, fromEmail: 'fallback@example.com' },
    });
    // A send, then the health lines count it.
    expect(
      (await env.postern.api('POST', `/t/${tenant}/api/verification-codes`, { email: 'someone@example.com' })).status,
    ).toBe(201);
    await withPage(env, async (page) => {
      await signIn(env, page, tenant);
      const lines = page.getByLabel('Connector health');
      // The primary's and the fallback's, each rendered once its own data arrived.
      await lines.nth(1).waitFor();
      expect(await lines.count()).toBe(2);
      expect(await lines.first().innerText()).toMatch(/Healthy · last 5 minutes on this server: 1 sent, 0 failed/);
    });
  });

  it('lists a queued message on the Outbox page, without its code, and cancels it', async () => {
    const tenant = await newTenant(env, 'outbox');
    expect(
      (
        await env.postern.api('PUT', `/t/${tenant}/api/connectors/email`, {
          factoryId: 'http',
          config: { endpoint: failing.url },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await env.postern.api('POST', `/t/${tenant}/api/users`, {
          email: 'reset@example.com',
          password: 'correct horse battery',
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await env.postern.api('POST', `/t/${tenant}/api/experience/verification-codes`, {
          email: 'reset@example.com',
          intent: 'forgot-password',
        })
      ).status,
    ).toBe(202);
    for (
      let i = 0;
      i < 200 && (await env.postern.api('GET', `/t/${tenant}/api/outbox?status=queued`)).body.items.length === 0;
      i++
    )
      await new Promise((r) => setTimeout(r, 25));
    const code = (failing.received[0]!.body as { payload: { code: string } }).payload.code;
    await withPage(env, async (page) => {
      await signIn(env, page, tenant);
      await page.getByRole('link', { name: 'Outbox' }).click();
      await page.getByRole('heading', { name: 'Outbox' }).waitFor();
      const table = page.getByRole('table', { name: 'Outbox messages' });
      await table.getByText('reset@example.com').waitFor();
      expect(await table.innerText()).toContain('connector.unavailable');
      expect(await page.content()).not.toContain(code);
      await shot(page, 'delivery-02-outbox');
      await page.getByRole('button', { name: 'Cancel the message to reset@example.com' }).click();
      await page.getByText('The message to reset@example.com was cancelled').waitFor();
      await page.getByLabel('Show').selectOption('cancelled');
      await table.getByText('cancelled', { exact: true }).waitFor();
    });
  });
});
