import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startWebhookPeer, type WebhookPeer } from '../../src/testing/peers/webhook.js';

const BIN = fileURLToPath(new URL('../../bin/postern.js', import.meta.url));

/** The built server at LOG_LEVEL=trace: no secret, code, password or token in any line of its output. */
describe('secrets never reach the logs', () => {
  let child: ChildProcess;
  let dir: string;
  let peer: WebhookPeer;
  let out = '';
  let base = '';
  const adminKey = `logs-admin-${randomBytes(16).toString('hex')}`;
  const masterSecret = randomBytes(32).toString('base64');
  const webhookAuth = `Bearer hook-${randomBytes(12).toString('hex')}`;
  const signingSecret = `whsec_${randomBytes(32).toString('base64')}`;
  const sendgridKey = `SG.${randomBytes(12).toString('hex')}.secret`;
  const password = `Pw-${randomBytes(8).toString('hex')}`;
  const secrets: string[] = [adminKey, masterSecret, webhookAuth.slice(7), signingSecret.slice(6), sendgridKey, password];

  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(new URL(path, base), { method, headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const admin = { authorization: `Bearer ${adminKey}` };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'postern-logs-'));
    peer = await startWebhookPeer({ secret: signingSecret, authorization: webhookAuth });
    child = spawn(process.execPath, [BIN, 'start'], {
      env: { PATH: process.env.PATH ?? '', PORT: '0', DATABASE_URL: `sqlite:${join(dir, 'p.db')}`, POSTERN_SECRET: masterSecret, POSTERN_ADMIN_KEY: adminKey, POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32', LOG_LEVEL: 'trace' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    for (let i = 0; i < 400 && !/Postern is listening on (\S+)/.test(out); i++) await new Promise((r) => setTimeout(r, 25));
    base = /Postern is listening on (\S+)/.exec(out)![1]!;
  }, 20_000);
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await peer?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const codeOf = (i: number) => (peer.received[i]!.body as { payload: { code: string } }).payload.code;

  it('runs sign-up, sign-in, code sends, connector saves and failing sends, and no secret shows', async () => {
    expect((await call('PATCH', '/api/verification-code-policy', { resendCooldownSeconds: 0 }, admin)).status).toBe(200);
    // A connector save with secrets, then one that fails to send, then the working one.
    expect((await call('PUT', '/api/connectors/email', { factoryId: 'sendgrid', config: { apiKey: sendgridKey, fromEmail: 'a@example.test', baseUrl: 'http://127.0.0.1:9/' } }, admin)).status).toBe(200);
    expect((await call('POST', '/api/verification-codes', { email: 'fail@example.test' }, admin)).status).toBeGreaterThanOrEqual(400);
    expect((await call('PUT', '/api/connectors/email', { factoryId: 'http', config: { endpoint: peer.url, authorization: webhookAuth, signingSecret } }, admin)).status).toBe(200);
    expect((await call('POST', '/api/connectors/test', { factoryId: 'http', config: { endpoint: peer.url, authorization: 'Bearer wrong-value-zzz' }, to: 'x@example.test' }, admin)).status).toBe(502);

    const email = 'logged.user@example.test';
    const s = await call('POST', '/api/experience/verification-codes', { email, intent: 'register' });
    expect(s.status).toBe(202);
    const code = codeOf(peer.received.length - 1);
    secrets.push(code);
    const wrong = await call('POST', '/api/experience/sign-in/verification-code', { email, verificationId: s.body.verificationId, code: code === '000000' ? '111111' : '000000' });
    expect(wrong.status).toBeGreaterThanOrEqual(400);
    const reg = await call('POST', '/api/experience/register', { email, verificationId: s.body.verificationId, code, password });
    expect(reg.status, JSON.stringify(reg.body)).toBe(201);
    const signIn = await call('POST', '/api/experience/sign-in/password', { email, password });
    expect(signIn.status).toBe(200);
    expect((await call('POST', '/api/experience/sign-in/password', { email, password: `${password}-wrong` })).status).toBe(401);
    const refreshed = await call('POST', '/api/token', { grantType: 'refresh_token', refreshToken: signIn.body.tokens.refreshToken });
    expect(refreshed.status).toBe(200);
    const me = await call('GET', '/api/my-account', undefined, { authorization: `Bearer ${refreshed.body.accessToken}` });
    expect(me.status).toBe(200);
    for (const t of [reg.body.tokens, signIn.body.tokens, refreshed.body]) if (t) secrets.push(t.accessToken, t.refreshToken);
    expect(secrets.length).toBeGreaterThan(10);
    const m = await call('POST', '/api/verification-codes', { email: 'second@example.test' }, admin);
    expect(m.status).toBe(201);
    secrets.push(codeOf(peer.received.length - 1));
    await new Promise((r) => setTimeout(r, 200));

    expect(out.split('\n').filter((l) => l.startsWith('{')).length).toBeGreaterThan(10); // trace really logged
    for (const secret of secrets) {
      // Codes are digits: match them whole, so a timestamp that happens to contain them does not count.
      const re = /^\d+$/.test(secret) ? new RegExp(`(^|\\D)${secret}(\\D|$)`) : undefined;
      const line = out.split('\n').find((l) => (re ? re.test(l) : l.includes(secret)));
      expect(line, `a log line shows a secret (${secret.length} chars)`).toBeUndefined();
    }
  });
});
