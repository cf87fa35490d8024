import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostern, type TestPostern } from '../../packages/server/test/helpers.js';

/** Runs examples/better-auth/server.mjs against a running Postern and signs in with a mailed code. */
describe('examples/better-auth', () => {
  let p: TestPostern;
  let child: ChildProcess;
  let app: string;

  beforeAll(async () => {
    p = await startPostern('sqlite', {}, { housekeeping: false });
    const postern = await p.app.listen({ host: '127.0.0.1', port: 0 });
    child = spawn(process.execPath, [fileURLToPath(new URL('./server.mjs', import.meta.url))], {
      env: {
        ...process.env,
        POSTERN_URL: postern,
        POSTERN_API_KEY: p.adminKey,
        BETTER_AUTH_SECRET: 'example-secret-0123456789abcdefghij',
        PORT: '0',
        BETTER_AUTH_URL: 'http://localhost:3000',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.setEncoding('utf8');
    for await (const chunk of child.stdout!) {
      out += chunk;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        app = m[1]!;
        break;
      }
    }
  });
  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    await p?.close();
  });

  const post = (path: string, body: unknown) =>
    fetch(`${app}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://localhost:3000' },
      body: JSON.stringify(body),
    });

  it('mails a code through Postern and signs in with it', async () => {
    const email = 'example-user@example.test';
    const sent = await post('/api/auth/email-otp/send-verification-otp', { email, type: 'sign-in' });
    expect(sent.status).toBe(200);
    const box = await p.api('GET', '/api/mailbox');
    const item = box.body.items.find((m: { to: string }) => m.to === email);
    const text = (await p.api('GET', `/api/mailbox/${item.id}`)).body.text as string;
    const code = /^\s*(\d{6})\s*$/m.exec(text)![1]!;
    const signIn = await post('/api/auth/sign-in/email-otp', { email, otp: code });
    expect(signIn.status).toBe(200);
    expect((await signIn.json()).user.email).toBe(email);
    expect(signIn.headers.getSetCookie().some((c) => c.includes('session_token'))).toBe(true);
  });

  it('signs in with a code Postern issued and checked', async () => {
    const email = 'example-postern@example.test';
    const sent = await post('/api/auth/postern-otp/send', { email });
    expect(sent.status).toBe(200);
    const { verificationId } = await sent.json();
    const box = await p.api('GET', '/api/mailbox');
    const item = box.body.items.find((m: { to: string }) => m.to === email);
    const code = /^\s*(\d{6})\s*$/m.exec((await p.api('GET', `/api/mailbox/${item.id}`)).body.text)![1]!;
    const wrong = await post('/api/auth/sign-in/postern-otp', {
      email,
      verificationId,
      otp: code === '000000' ? '111111' : '000000',
    });
    expect(wrong.status).toBe(400);
    const ok = await post('/api/auth/sign-in/postern-otp', { email, verificationId, otp: code });
    expect(ok.status).toBe(200);
    expect((await ok.json()).user.email).toBe(email);
  });
});
