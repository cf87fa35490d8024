/**
 * A local stand-in for the three siteverify APIs (Cloudflare Turnstile, hCaptcha, Google
 * reCAPTCHA), answering as each documents: a form-encoded POST of `secret`, `response`,
 * `remoteip` (and hCaptcha's `sitekey`); `{success, challenge_ts, hostname, …}` or
 * `{success: false, "error-codes": [...]}`. Tokens are single-use and minted by the test
 * (`issue`), as a widget would mint them in a browser; the peer can also hang (a provider
 * timeout), fail with a 5xx, or answer something that is not JSON.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';

export type PeerProvider = 'turnstile' | 'hcaptcha' | 'recaptcha';

export const PEER_PATHS: Record<PeerProvider, string> = {
  turnstile: '/turnstile/v0/siteverify',
  hcaptcha: '/siteverify',
  recaptcha: '/recaptcha/api/siteverify',
};

export interface TokenOutcome {
  /** reCAPTCHA v3 score (0–1); v3 answers carry it and the action. Omit for a v2-style answer. */
  score?: number;
  action?: string;
  /** The site the widget ran on (default: localhost). */
  hostname?: string;
}

export interface SiteverifyRequest {
  provider: PeerProvider;
  contentType: string;
  response: string | undefined;
  remoteip: string | undefined;
  sitekey: string | undefined;
  secretMatched: boolean;
}

export interface CaptchaPeerOptions {
  secret?: string;
  siteKey?: string;
}

export async function startCaptchaPeer(options: CaptchaPeerOptions = {}) {
  const secret = options.secret ?? `peer-secret-${randomBytes(8).toString('hex')}`;
  const siteKey = options.siteKey ?? 'peer-site-key';
  const tokens = new Map<string, TokenOutcome & { used: boolean }>();
  const received: SiteverifyRequest[] = [];
  const state = { mode: 'normal' as 'normal' | 'hang' | 'error' | 'garbage' };
  const hanging = new Set<ServerResponse>();

  const answer = (res: ServerResponse, status: number, body: unknown) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      'content-type': typeof body === 'string' ? 'text/html' : 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  };

  const handle = (req: IncomingMessage, raw: string, res: ServerResponse) => {
    const provider = (Object.keys(PEER_PATHS) as PeerProvider[]).find((p) => PEER_PATHS[p] === req.url);
    if (req.method !== 'POST' || !provider) return answer(res, 404, { error: 'not found' });
    const contentType = String(req.headers['content-type'] ?? '');
    let fields: Record<string, string | undefined> = {};
    if (contentType.startsWith('application/x-www-form-urlencoded'))
      fields = Object.fromEntries(new URLSearchParams(raw));
    else if (provider === 'turnstile' && contentType.startsWith('application/json')) {
      try {
        fields = JSON.parse(raw) as Record<string, string>;
      } catch {
        fields = {};
      }
    }
    const r: SiteverifyRequest = {
      provider,
      contentType,
      response: fields.response,
      remoteip: fields.remoteip,
      sitekey: fields.sitekey,
      secretMatched: fields.secret === secret,
    };
    received.push(r);
    if (state.mode === 'hang') {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    if (state.mode === 'error') return answer(res, 502, '<html><body>Bad gateway</body></html>');
    if (state.mode === 'garbage') return answer(res, 200, '<html>not json</html>');
    const fail = (...codes: string[]) => answer(res, 200, { success: false, 'error-codes': codes });
    if (!fields.secret) return fail('missing-input-secret');
    if (!r.secretMatched) return fail('invalid-input-secret');
    if (!fields.response) return fail('missing-input-response');
    if (provider === 'hcaptcha' && fields.sitekey !== undefined && fields.sitekey !== siteKey)
      return fail('sitekey-secret-mismatch');
    const t = tokens.get(fields.response);
    if (!t) return fail('invalid-input-response');
    if (t.used) return fail(provider === 'hcaptcha' ? 'invalid-or-already-seen-response' : 'timeout-or-duplicate');
    t.used = true;
    const base = { success: true, challenge_ts: new Date().toISOString(), hostname: t.hostname ?? 'localhost' };
    if (provider === 'turnstile')
      return answer(res, 200, { ...base, 'error-codes': [], action: t.action ?? '', cdata: '' });
    if (provider === 'hcaptcha') return answer(res, 200, { ...base, credit: false });
    return answer(res, 200, t.score === undefined ? base : { ...base, score: t.score, action: t.action ?? '' });
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    origin,
    secret,
    siteKey,
    received,
    /** The siteverify URL of a provider on this peer. */
    url: (provider: PeerProvider) => `${origin}${PEER_PATHS[provider]}`,
    /** A token a widget would have produced; it verifies once. */
    issue(outcome: TokenOutcome = {}): string {
      const token = `tok_${randomBytes(12).toString('base64url')}`;
      tokens.set(token, { ...outcome, used: false });
      return token;
    },
    setMode(mode: 'normal' | 'hang' | 'error' | 'garbage') {
      state.mode = mode;
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type CaptchaPeer = Awaited<ReturnType<typeof startCaptchaPeer>>;
