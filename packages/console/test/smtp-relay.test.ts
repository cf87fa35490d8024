import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { mailTo, newTenant, signIn, startConsoleEnv, withPage, type ConsoleEnv } from './browser.js';

// The SMTP relay page in chromium against a real Postern whose SMTP listener runs on
// 127.0.0.1: the values the page shows are the ones a client then sends with.
describe('console: SMTP relay, listener on', () => {
  let env: ConsoleEnv;
  let ports: { port?: number; smtpsPort?: number };
  beforeAll(async () => {
    env = await startConsoleEnv({ POSTERN_SMTP_PORT: '0', POSTERN_SMTPS_PORT: '0', POSTERN_SMTP_HOST: '127.0.0.1' });
    ports = await env.postern.smtp!.listen();
  });
  afterAll(async () => {
    await env?.close();
  });

  it('shows the server, creates a credential with its password once, sends with it, downloads the certificate, deletes after confirmation', async () => {
    const tenant = await newTenant(env, 'relay');
    await withPage(env, async (page) => {
      await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.url });
      await signIn(env, page, tenant, { stay: true });
      await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'SMTP relay' }).click();
      await page.getByRole('heading', { name: 'SMTP relay' }).waitFor();
      await page.getByText('No SMTP credential yet.').waitFor();
      const host = await page.getByLabel('Host', { exact: true }).inputValue();
      expect(host).toBe('localhost');
      expect(await page.getByLabel('Port (STARTTLS)', { exact: true }).inputValue()).toBe(String(ports.port));
      expect(await page.getByLabel('Port (implicit TLS)', { exact: true }).inputValue()).toBe(String(ports.smtpsPort));
      await page.getByText(`STARTTLS on ${ports.port}, implicit TLS on ${ports.smtpsPort}`).waitFor();
      const cert = (await env.postern.api('GET', '/api/smtp-credentials/certificate')).body as { pem: string; fingerprint: string };
      expect(await page.getByLabel('Certificate fingerprint (SHA-256)', { exact: true }).inputValue()).toBe(cert.fingerprint);

      const downloading = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Download certificate' }).click();
      const download = await downloading;
      expect(download.suggestedFilename()).toBe('postern-smtp.pem');
      const pem = readFileSync(await download.path(), 'utf8');
      expect(pem).toBe(cert.pem);

      // A bad domain is refused beside its field, and nothing is made.
      await page.getByLabel('Name', { exact: true }).fill('keycloak');
      await page.getByLabel('Allowed From domains').fill('bad_domain!');
      await page.getByRole('button', { name: 'Create credential' }).click();
      await page.locator('#smtp-domains-err').waitFor();
      expect((await env.postern.api('GET', `/t/${tenant}/api/smtp-credentials`)).body.items).toEqual([]);

      await page.getByLabel('Allowed From domains').fill('example.test, Mail.Example.test');
      await page.getByLabel('Hourly recipient cap').fill('50');
      await page.getByRole('button', { name: 'Create credential' }).click();
      await page.getByText('Credential keycloak created.').waitFor();
      const username = await page.getByLabel('Username', { exact: true }).inputValue();
      const password = page.getByLabel('SMTP password', { exact: true });
      expect(await password.getAttribute('type')).toBe('password');
      await page.getByRole('button', { name: 'Reveal' }).click();
      expect(await password.getAttribute('type')).toBe('text');
      const secret = await password.inputValue();
      expect(secret.length).toBeGreaterThan(20);
      await page.getByRole('button', { name: 'Copy to the clipboard' }).click();
      await page.getByRole('button', { name: 'Copy to the clipboard' }).getByText('Copied').waitFor();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
      const keycloak = page.getByRole('listitem').filter({ hasText: 'Keycloak' });
      expect((await keycloak.textContent())?.replace(/\s+/g, ' ')).toContain(`Host localhost, Port ${ports.port}, Enable StartTLS on, Authentication on`);

      const row = page.getByRole('row', { name: /keycloak/ });
      await row.getByText('example.test, mail.example.test').waitFor();
      await row.getByRole('cell', { name: '50', exact: true }).waitFor();
      await row.getByText(username).waitFor();
      // The list never shows the password.
      const list = await env.postern.api('GET', `/t/${tenant}/api/smtp-credentials`);
      expect(JSON.stringify(list.body)).not.toContain(secret);

      // A client set up with exactly what the page showed: the host name checked against the downloaded certificate.
      const transport = nodemailer.createTransport({
        host: '127.0.0.1',
        port: Number(await page.getByLabel('Port (STARTTLS)', { exact: true }).inputValue()),
        secure: false,
        requireTLS: true,
        auth: { user: username, pass: secret },
        tls: { ca: pem, servername: host },
      });
      const info = await transport.sendMail({ from: 'Keycloak <kc@mail.example.test>', to: 'ada@example.net', subject: 'Verify your email', text: 'Click the link' });
      transport.close();
      expect(info.response).toMatch(/^250 /);
      const [got] = await mailTo(env, tenant, 'ada@example.net');
      expect(got!.subject).toBe('Verify your email');

      // Delete asks first; Cancel keeps it.
      await page.getByRole('button', { name: 'Done' }).click();
      await page.getByRole('button', { name: 'Delete keycloak' }).click();
      const ask = page.getByRole('alertdialog', { name: 'Delete the credential keycloak?' });
      await ask.getByRole('button', { name: 'Cancel' }).click();
      expect((await env.postern.api('GET', `/t/${tenant}/api/smtp-credentials`)).body.items).toHaveLength(1);
      await page.getByRole('button', { name: 'Delete keycloak' }).click();
      await ask.getByRole('button', { name: 'Delete credential' }).click();
      await page.getByText('The credential keycloak was deleted').waitFor();
      await page.getByText('No SMTP credential yet.').waitFor();

      const again = nodemailer.createTransport({
        host: '127.0.0.1',
        port: ports.port!,
        secure: false,
        requireTLS: true,
        auth: { user: username, pass: secret },
        tls: { ca: pem, servername: host },
      });
      const refused = await again.sendMail({ from: 'kc@example.test', to: 'ada@example.net', subject: 'x', text: 'x' }).then(
        () => undefined,
        (e: { responseCode?: number }) => e,
      );
      again.close();
      expect(refused?.responseCode).toBe(535);
    });
  });
});

describe('console: SMTP relay, listener off', () => {
  let env: ConsoleEnv;
  beforeAll(async () => {
    env = await startConsoleEnv();
  });
  afterAll(async () => {
    await env?.close();
  });

  it('says that the listener is not enabled and how to turn it on', async () => {
    const tenant = await newTenant(env, 'relayoff');
    await withPage(env, async (page) => {
      await signIn(env, page, tenant, { stay: true });
      await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'SMTP relay' }).click();
      await page.getByText('The SMTP listener is not enabled.').waitFor();
      await page.getByText('POSTERN_SMTP_PORT', { exact: true }).waitFor();
      expect(await page.getByRole('button', { name: 'Download certificate' }).count()).toBe(0);
      // Credentials can be made ahead of turning it on.
      await page.getByLabel('Name', { exact: true }).fill('later');
      await page.getByLabel('Allowed From domains').fill('example.test');
      await page.getByRole('button', { name: 'Create credential' }).click();
      await page.getByText('Credential later created.').waitFor();
    });
  });
});
