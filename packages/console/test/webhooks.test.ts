import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { newTenant, signIn, startConsoleEnv, withPage, type ConsoleEnv } from './browser.js';

// The Webhooks page in chromium against a real Postern and a real receiver on 127.0.0.1.
let env: ConsoleEnv;
let receiver: http.Server;
let url = '';
const got: Array<{ headers: Record<string, string>; raw: string }> = [];

beforeAll(async () => {
  env = await startConsoleEnv({ POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32' });
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      got.push({ headers, raw: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/events`;
});
afterAll(async () => {
  await env?.close();
  receiver.closeAllConnections();
  await new Promise<void>((r) => receiver.close(() => r()));
});

describe('console: webhooks', () => {
  it('adds a webhook with its secret shown once, sends a test event, and lists the delivery', async () => {
    const tenant = await newTenant(env, 'hooks');
    let secret = '';
    await withPage(env, async (page) => {
      await signIn(env, page, tenant);
      await page.getByRole('link', { name: 'Webhooks' }).click();
      await page.getByText('No webhook yet.').waitFor();
      await page.getByLabel('Endpoint URL').fill(url);
      await page.getByLabel('user.created').check();
      await page.getByRole('button', { name: 'Add webhook' }).click();
      await page.getByText('Copy it now: it is not shown again.').waitFor();
      secret = await page.getByLabel('Signing secret').inputValue();
      expect(secret).toMatch(/^whsec_/);
      await page.getByRole('button', { name: 'Done' }).click();
      await page.getByRole('button', { name: 'Send test event' }).click();
      await page.getByText(`Test event delivered to ${url} (HTTP 200).`).waitFor();
      await page.getByRole('button', { name: 'Deliveries' }).click();
      await page.getByRole('cell', { name: 'webhook.test', exact: true }).waitFor();
      await page.getByRole('cell', { name: 'Delivered', exact: true }).waitFor();
      await page.getByRole('button', { name: /^Redeliver webhook\.test/ }).click();
      await page.getByText('webhook.test delivered again.').waitFor();
    });
    expect(got).toHaveLength(2);
    expect(got[1]!.headers['webhook-id']).toBe(got[0]!.headers['webhook-id']);
    const event = new Webhook(secret).verify(got[0]!.raw, got[0]!.headers) as { type: string };
    expect(event.type).toBe('webhook.test');
    const list = await env.postern.api('GET', `/t/${tenant}/api/webhooks`);
    expect(list.body.items[0].events).toEqual(['email.sent', 'email.bounced', 'email.complained', 'user.created']);
    expect(JSON.stringify(list.body)).not.toContain(secret);
  });
});
