/**
 * Copy-paste code for an application registered with Postern (SPEC §17): a Node server with
 * `openid-client`, and a browser SPA with nothing but `fetch` and Web Crypto. Both are
 * complete programs; the console fills in the issuer, client id and redirect URI.
 */
export interface SnippetInput {
  issuer: string;
  clientId: string;
  redirectUri: string;
}

const js = (v: string) => JSON.stringify(v);

/**
 * A Node server (`node:http`, `openid-client` v6) with `/login`, `/callback` and `/`: the
 * client secret comes from `POSTERN_CLIENT_SECRET`; for `spa`/`native` applications leave it
 * unset (a public client: PKCE alone). An `http://` issuer is allowed only for local testing.
 */
export function serverSnippet({ issuer, clientId, redirectUri }: SnippetInput): string {
  const insecure = issuer.startsWith('http://');
  const redirect = new URL(redirectUri);
  const port = redirect.port || (redirect.protocol === 'https:' ? '443' : '80');
  return `// npm install openid-client   (Node 20+; save as app.mjs, run: node app.mjs)
import { createServer } from 'node:http';
import * as client from 'openid-client';

const ISSUER = ${js(issuer)};
const CLIENT_ID = ${js(clientId)};
const REDIRECT_URI = ${js(redirectUri)};
const secret = process.env.POSTERN_CLIENT_SECRET; // unset for a public (spa, native) client

const config = await client.discovery(
  new URL(ISSUER),
  CLIENT_ID,
  secret,
  secret ? undefined : client.None(),${insecure ? '\n  { execute: [client.allowInsecureRequests] }, // http:// issuer: local testing only' : ''}
);
const sessions = new Map(); // use your framework's session store in production
const cookie = (req, name) =>
  (req.headers.cookie ?? '').split(/;\\s*/).find((c) => c.startsWith(\`\${name}=\`))?.slice(name.length + 1);

createServer(async (req, res) => {
  const url = new URL(req.url, REDIRECT_URI);
  try {
    if (url.pathname === '/login') {
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const to = client.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT_URI,
        scope: 'openid email profile',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
      });
      res.writeHead(302, { location: to.href, 'set-cookie': \`pkce=\${state}.\${verifier}; HttpOnly; Path=/; SameSite=Lax\` });
      return res.end();
    }
    if (url.pathname === new URL(REDIRECT_URI).pathname) {
      const [state, verifier] = (cookie(req, 'pkce') ?? '.').split('.');
      const tokens = await client.authorizationCodeGrant(config, url, { pkceCodeVerifier: verifier, expectedState: state });
      const { sub } = tokens.claims();
      const user = await client.fetchUserInfo(config, tokens.access_token, sub);
      const id = client.randomState();
      sessions.set(id, user);
      res.writeHead(302, { location: '/', 'set-cookie': \`sid=\${id}; HttpOnly; Path=/; SameSite=Lax\` });
      return res.end();
    }
    const user = sessions.get(cookie(req, 'sid'));
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(user ? \`Signed in as \${user.email}\` : 'Signed out: open /login');
  } catch (e) {
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(\`Sign-in failed: \${e.message}\`);
  }
}).listen(Number(process.env.PORT ?? ${port}));
`;
}

/**
 * A browser SPA module (no library): authorization code + PKCE, the token request from the
 * browser (the application's CORS origin must be registered), then userinfo.
 */
export function spaSnippet({ issuer, clientId, redirectUri }: SnippetInput): string {
  return `<!-- Served from ${new URL(redirectUri).origin}: add that origin to the application's CORS origins. -->
<button id="sign-in" disabled>Sign in</button>
<p id="who"></p>
<script type="module">
  const ISSUER = ${js(issuer)};
  const CLIENT_ID = ${js(clientId)};
  const REDIRECT_URI = ${js(redirectUri)};

  const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
  const random = () => b64url(crypto.getRandomValues(new Uint8Array(32)));
  const meta = await (await fetch(\`\${ISSUER}/.well-known/openid-configuration\`)).json();

  document.getElementById('sign-in').onclick = async () => {
    const verifier = random();
    const state = random();
    sessionStorage.setItem('pkce', JSON.stringify({ verifier, state }));
    const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
    const q = new URLSearchParams({
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      scope: 'openid email profile',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state,
    });
    location.assign(\`\${meta.authorization_endpoint}?\${q}\`);
  };
  // Enabled once the discovery document is read: a click before that would do nothing.
  document.getElementById('sign-in').disabled = false;

  const back = new URLSearchParams(location.search);
  const saved = JSON.parse(sessionStorage.getItem('pkce') ?? 'null');
  if (back.has('code') && saved && back.get('state') === saved.state) {
    sessionStorage.removeItem('pkce');
    history.replaceState(null, '', location.pathname);
    const res = await fetch(meta.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: back.get('code'),
        redirect_uri: REDIRECT_URI,
        client_id: CLIENT_ID,
        code_verifier: saved.verifier,
      }),
    });
    const tokens = await res.json();
    if (!res.ok) throw new Error(tokens.error_description ?? tokens.error);
    // Keep tokens in memory only; verify the ID token's signature if you rely on it.
    const user = await (await fetch(meta.userinfo_endpoint, { headers: { authorization: \`Bearer \${tokens.access_token}\` } })).json();
    document.getElementById('who').textContent = \`Signed in as \${user.email}\`;
  }
</script>
`;
}
