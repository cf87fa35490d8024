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

  it('runs authorization code + PKCE, token, userinfo, refresh and revocation', async () => {
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
    await client.tokenRevocation(config, next.refresh_token!);
    await new Promise((r) => setTimeout(r, 200));
    const secrets = [
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
