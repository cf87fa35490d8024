import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import * as client from 'openid-client';
import { Browser, freePort, signInThroughPages } from './flow.js';

const BIN = fileURLToPath(new URL('../../bin/postern.js', import.meta.url));
const REDIRECT = 'https://app.example.test/callback';

/** The built server at LOG_LEVEL=trace through a whole OpenID sign-in: no code, token, secret or password in its output. */
describe('OpenID sign-in leaves no secret in the trace log', () => {
  let child: ChildProcess;
  let dir: string;
  let out = '';
  let base = '';
  const adminKey = `oidc-logs-${randomBytes(16).toString('hex')}`;
  const password = `Pw-${randomBytes(8).toString('hex')}`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'postern-oidc-logs-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, [BIN, 'start'], {
      env: {
        PATH: process.env.PATH ?? '',
        PORT: String(port),
        HOST: '127.0.0.1',
        POSTERN_PUBLIC_URL: base,
        DATABASE_URL: `sqlite:${join(dir, 'p.db')}`,
        POSTERN_SECRET: randomBytes(32).toString('base64'),
        POSTERN_ADMIN_KEY: adminKey,
        LOG_LEVEL: 'trace',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    for (let i = 0; i < 400 && !/Postern is listening on/.test(out); i++) await new Promise((r) => setTimeout(r, 25));
    expect(out).toMatch(/Postern is listening on/);
  }, 20_000);
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs authorization code + PKCE, token, userinfo, refresh, revocation, the account API and a code sign-in', async () => {
    const admin = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
    const email = 'logged.oidc@example.test';
    expect(
      (await fetch(`${base}/api/users`, { method: 'POST', headers: admin, body: JSON.stringify({ email, password }) }))
        .status,
    ).toBe(201);
    const app = (await (
      await fetch(`${base}/api/applications`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ name: 'Logged', type: 'traditional', redirectUris: [REDIRECT] }),
      })
    ).json()) as { clientId: string; clientSecret: string };
    const config = await client.discovery(new URL(`${base}/oidc`), app.clientId, app.clientSecret, undefined, {
      execute: [client.allowInsecureRequests],
    });
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid email offline_access',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const cb = await signInThroughPages(new Browser(), base, { email, password }, url);
    const code = cb.searchParams.get('code')!;
    const tokens = await client.authorizationCodeGrant(config, cb, { pkceCodeVerifier: verifier });
    await client.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
    const next = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect((await fetch(`${base}/api/my-account`, { headers: { authorization: `Bearer ${next.access_token}` } })).status).toBe(200);
    await client.tokenRevocation(config, next.refresh_token!);
    // A sign-in by emailed code that names the application (the code read from the development mailbox).
    // Revoking the refresh token ended its grant: the access token no longer opens the account API.
    expect((await fetch(`${base}/api/my-account`, { headers: { authorization: `Bearer ${next.access_token}` } })).status).toBe(401);
    const json = { 'content-type': 'application/json' };
    const sent = await fetch(`${base}/api/experience/verification-codes`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ email, intent: 'sign-in', applicationId: app.clientId }),
    });
    expect(sent.status).toBe(202);
    const { verificationId } = (await sent.json()) as { verificationId: string };
    let mailCode = '';
    for (let i = 0; i < 400 && !mailCode; i++) {
      const box = (await (await fetch(`${base}/api/mailbox?limit=10`, { headers: admin })).json()) as {
        items: Array<{ id: string }>;
      };
      if (box.items[0]) {
        const m = (await (await fetch(`${base}/api/mailbox/${box.items[0].id}`, { headers: admin })).json()) as {
          text: string;
          subject: string;
        };
        expect(m.subject).toContain('Logged');
        mailCode = /^\s*([0-9A-Z]{4,10})\s*$/m.exec(m.text)?.[1] ?? '';
      } else await new Promise((r) => setTimeout(r, 25));
    }
    const byCode = await fetch(`${base}/api/experience/sign-in/verification-code`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ email, verificationId, code: mailCode }),
    });
    expect(byCode.status).toBe(200);
    const own = ((await byCode.json()) as { tokens: { accessToken: string; refreshToken: string } }).tokens;
    await new Promise((r) => setTimeout(r, 200));
    const secrets = [
      mailCode,
      own.accessToken,
      own.refreshToken,
      adminKey,
      password,
      app.clientSecret,
      code,
      verifier,
      tokens.access_token,
      tokens.refresh_token!,
      tokens.id_token!,
      next.access_token,
      next.refresh_token!,
    ];
    expect(out.length).toBeGreaterThan(0);
    expect(out).toMatch(/"level":10|"level":20|"level":30/);
    for (const s of secrets) expect(out.includes(s), `a secret (${s.slice(0, 4)}…) is in the log`).toBe(false);
  });
});
