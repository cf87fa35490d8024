import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostern, type TestPostern } from '../../packages/server/test/helpers.js';
import { Browser, freePort } from '../../packages/server/test/oidc/flow.js';
// @ts-expect-error: a plain JavaScript example
import { createApp } from './server.mjs';

describe('examples/oidc-fastify', () => {
  let p: TestPostern;
  let app: { listen(o: { port: number; host: string }): Promise<string>; close(): Promise<void> };
  let base: string;
  let appUrl: string;
  const who = { email: 'example.user@example.test', password: 'example password 1' };

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    p = await startPostern('sqlite', { POSTERN_PUBLIC_URL: base });
    await p.app.listen({ port, host: '127.0.0.1' });
    expect((await p.api('POST', '/api/users', who)).status).toBe(201);
    const appPort = await freePort();
    appUrl = `http://127.0.0.1:${appPort}`;
    const reg = await p.api('POST', '/api/applications', {
      name: 'Example',
      type: 'traditional',
      redirectUris: [`${appUrl}/callback`],
      postLogoutRedirectUris: [`${appUrl}/`],
    });
    expect(reg.status).toBe(201);
    app = await createApp({
      issuer: `${base}/oidc`,
      clientId: reg.body.clientId,
      clientSecret: reg.body.clientSecret,
      baseUrl: appUrl,
      allowHttp: true,
    });
    await app.listen({ port: appPort, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await app?.close();
    await p?.close();
  });

  it('signs a user in through Postern and out again', async () => {
    const b = new Browser();
    expect(await (await b.fetch(`${appUrl}/`)).text()).toContain('signed out');
    let res = await b.fetch(`${appUrl}/login`);
    expect(res.status).toBe(302);
    const authUrl = new URL(res.headers.get('location')!);
    expect(authUrl.origin + authUrl.pathname).toBe(`${base}/oidc/auth`);
    // What the hosted sign-in page does (see packages/server/test/oidc/flow.ts), over HTTP.
    res = await b.fetch(authUrl);
    res = await b.fetch(new URL(res.headers.get('location')!, base));
    const finish = new URL(res.headers.get('location')!, base).searchParams.get('redirect')!;
    const signIn = (await (
      await fetch(`${base}/api/experience/sign-in/password`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(who),
      })
    ).json()) as { tokens: { accessToken: string } };
    res = await b.fetch(new URL(finish, base), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ accessToken: signIn.tokens.accessToken }),
    });
    let at = new URL(((await res.json()) as { redirectTo: string }).redirectTo);
    for (let i = 0; i < 10 && at.href.startsWith(base); i++)
      at = new URL((await b.fetch(at)).headers.get('location')!, base);
    expect(at.pathname).toBe('/callback');
    res = await b.fetch(at);
    expect(res.status).toBe(302);
    expect(await (await b.fetch(`${appUrl}/`)).text()).toContain(who.email);

    res = await b.fetch(`${appUrl}/logout`);
    const end = new URL(res.headers.get('location')!);
    expect(end.pathname).toBe('/oidc/session/end');
    expect(await (await b.fetch(`${appUrl}/`)).text()).toContain('signed out');
  });
});
