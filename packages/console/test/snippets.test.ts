import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverSnippet } from '../src/applications/snippets.js';
import { startPostern, type TestPostern } from '../../server/test/helpers.js';
import { Browser, freePort, signInThroughPages } from '../../server/test/oidc/flow.js';

// The server snippet the Applications page hands out, run as it is (node app.mjs) against a
// running Postern: a person signs in through it and it shows who they are.
let p: TestPostern;
let base: string;
const who = { email: 'snippet.user@example.test', password: 'snippet password 1' };
const children: ChildProcess[] = [];
const files: string[] = [];

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  p = await startPostern('sqlite', { POSTERN_PUBLIC_URL: base });
  await p.app.listen({ port, host: '127.0.0.1' });
  expect((await p.api('POST', '/api/users', who)).status).toBe(201);
});
afterAll(async () => {
  for (const c of children) c.kill();
  for (const f of files) rmSync(f, { force: true });
  await p?.close();
});

async function listening(port: number): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => (s.end(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`the snippet never listened on ${port}`);
}

/** Writes the snippet next to this test (so `openid-client` resolves from the workspace) and runs it. */
async function runSnippet(type: 'traditional' | 'spa'): Promise<{ appUrl: string; output: () => string }> {
  const appPort = await freePort();
  const appUrl = `http://127.0.0.1:${appPort}`;
  const reg = await p.api('POST', '/api/applications', {
    name: `Snippet ${type}`,
    type,
    redirectUris: [`${appUrl}/callback`],
  });
  expect(reg.status).toBe(201);
  const code = serverSnippet({ issuer: `${base}/oidc`, clientId: reg.body.clientId, redirectUri: `${appUrl}/callback` });
  const file = fileURLToPath(new URL(`./.snippet-${type}-${appPort}.mjs`, import.meta.url));
  writeFileSync(file, code);
  files.push(file);
  let out = '';
  const child = spawn(process.execPath, [file], {
    env: { PATH: process.env.PATH, ...(reg.body.clientSecret ? { POSTERN_CLIENT_SECRET: reg.body.clientSecret } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  await listening(appPort);
  return { appUrl, output: () => out };
}

describe('the Applications page snippets', () => {
  for (const type of ['traditional', 'spa'] as const) {
    it(`runs the openid-client server snippet for a ${type} application and signs a user in`, async () => {
      const { appUrl, output } = await runSnippet(type);
      const b = new Browser();
      expect(await (await b.fetch(`${appUrl}/`)).text()).toContain('Signed out');
      const login = await b.fetch(`${appUrl}/login`);
      expect(login.status, output()).toBe(302);
      const auth = new URL(login.headers.get('location')!);
      expect(auth.origin + auth.pathname).toBe(`${base}/oidc/auth`);
      const callback = await signInThroughPages(b, base, who, auth);
      expect(callback.origin + callback.pathname).toBe(`${appUrl}/callback`);
      const done = await b.fetch(callback);
      expect(done.status, `${await done.clone().text()} ${output()}`).toBe(302);
      expect(await (await b.fetch(`${appUrl}/`)).text()).toBe(`Signed in as ${who.email}`);
    }, 30_000);
  }
});
