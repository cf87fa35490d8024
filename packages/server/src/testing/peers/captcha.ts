/**
 * A local stand-in for the three siteverify APIs (Cloudflare Turnstile, hCaptcha, Google
 * reCAPTCHA), answering as each documents: a form-encoded POST of `secret`, `response`,
 * `remoteip` (and hCaptcha's `sitekey`); `{success, challenge_ts, hostname, …}` or
 * `{success: false, "error-codes": [...]}`. Tokens are single-use and minted by the test
 * (`issue`), as a widget would mint them in a browser; the peer can also hang (a provider
 * timeout), fail with a 5xx, or answer something that is not JSON.
 *
 * It also serves a stand-in for each provider's browser widget at the provider's script
 * path (`/turnstile/v0/api.js`, `/1/api.js`, `/recaptcha/api.js`), for hosted-page tests
 * run with POSTERN_CAPTCHA_WIDGET_ORIGIN set to this peer: the widget is an iframe from the
 * peer whose "I am human" button hands the page a fresh token, as the real widgets do
 * through postMessage; reCAPTCHA v3's `execute` gets a token (score 0.9, its action) the same way.
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
  let origin = '';
  /** A token a widget would have produced; it verifies once. */
  const issue = (outcome: TokenOutcome = {}): string => {
    const token = `tok_${randomBytes(12).toString('base64url')}`;
    tokens.set(token, { ...outcome, used: false });
    return token;
  };

  const answer = (res: ServerResponse, status: number, body: unknown) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      'content-type': typeof body === 'string' ? 'text/html' : 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  };

  const widgetRequests: string[] = [];
  const handle = (req: IncomingMessage, raw: string, res: ServerResponse) => {
    if (req.method === 'GET') return widget(req, res);
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

  const page = (res: ServerResponse, type: string, text: string) => {
    res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' });
    res.end(text);
  };
  // The browser side of the providers: scripts at their paths, and the widget's frame.
  const widget = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', origin);
    widgetRequests.push(url.pathname);
    if (url.pathname === '/turnstile/v0/api.js') return page(res, 'text/javascript', widgetScript(origin, 'turnstile'));
    if (url.pathname === '/1/api.js') return page(res, 'text/javascript', widgetScript(origin, 'hcaptcha'));
    if (url.pathname === '/recaptcha/api.js') return page(res, 'text/javascript', recaptchaScript(origin, url.searchParams.get('render') ?? ''));
    const host = url.searchParams.get('host') ?? 'localhost';
    const id = url.searchParams.get('id') ?? '';
    if (url.pathname === '/widget/frame') {
      const t = inScript({ fakeWidget: id, token: issue({ hostname: host }) });
      return page(
        res,
        'text/html',
        `<!doctype html><meta charset="utf-8"><body style="margin:0;font:14px sans-serif"><button type="button" id="human">I am human</button><span id="done" hidden>Verified</span>` +
          `<script>document.getElementById('human').onclick=function(){parent.postMessage(${t},'*');this.hidden=true;document.getElementById('done').hidden=false;};</script></body>`,
      );
    }
    if (url.pathname === '/widget/recaptcha') {
      const t = inScript({ fakeWidget: id, token: issue({ hostname: host, score: 0.9, action: url.searchParams.get('action') ?? '' }) });
      return page(res, 'text/html', `<!doctype html><script>parent.postMessage(${t},'*');</script>`);
    }
    return answer(res, 404, { error: 'not found' });
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;

  return {
    origin,
    secret,
    siteKey,
    received,
    /** The siteverify URL of a provider on this peer. */
    url: (provider: PeerProvider) => `${origin}${PEER_PATHS[provider]}`,
    issue,
    /** The paths of the widget scripts and frames browsers fetched. */
    widgetRequests,
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

/** JSON safe inside an inline script. */
const inScript = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');

/** `window.turnstile` / `window.hcaptcha` with the calls the hosted pages make: render, reset, remove, getResponse. */
function widgetScript(origin: string, global: 'turnstile' | 'hcaptcha'): string {
  return `(function () {
  var origin = ${JSON.stringify(origin)}, widgets = {}, n = 0;
  function frameUrl(id) { return origin + '/widget/frame?id=' + id + '&host=' + encodeURIComponent(location.hostname) + '&n=' + (++n); }
  window.addEventListener('message', function (e) {
    var w = e.origin === origin && e.data && widgets[e.data.fakeWidget];
    if (!w) return;
    w.token = e.data.token;
    if (typeof w.opts.callback === 'function') w.opts.callback(w.token);
  });
  window[${JSON.stringify(global)}] = {
    render: function (el, opts) {
      if (typeof el === 'string') el = document.querySelector(el);
      if (!opts || !opts.sitekey) throw new Error('sitekey is required');
      var id = 'w' + (++n), f = document.createElement('iframe');
      f.title = 'Bot check'; f.width = '300'; f.height = '65'; f.style.border = '0'; f.src = frameUrl(id);
      el.appendChild(f);
      widgets[id] = { opts: opts, frame: f, token: undefined };
      return id;
    },
    reset: function (id) { var w = widgets[id]; if (w) { w.token = undefined; w.frame.src = frameUrl(id); } },
    remove: function (id) { var w = widgets[id]; if (w) { w.frame.remove(); delete widgets[id]; } },
    getResponse: function (id) { var w = widgets[id]; return w && w.token; }
  };
})();`;
}

/** reCAPTCHA v3's \`grecaptcha.ready\` and \`execute(siteKey, {action})\`, a token per call through a hidden frame. */
function recaptchaScript(origin: string, siteKey: string): string {
  return `(function () {
  var origin = ${JSON.stringify(origin)}, siteKey = ${JSON.stringify(siteKey)}, waiting = {}, n = 0;
  window.addEventListener('message', function (e) {
    var w = e.origin === origin && e.data && waiting[e.data.fakeWidget];
    if (!w) return;
    delete waiting[e.data.fakeWidget];
    w.frame.remove();
    w.resolve(e.data.token);
  });
  window.grecaptcha = {
    ready: function (cb) { setTimeout(cb, 0); },
    execute: function (key, opts) {
      return new Promise(function (resolve, reject) {
        if (key !== siteKey) return reject(new Error('Invalid site key or not loaded in api.js: ' + key));
        var id = 'r' + (++n), f = document.createElement('iframe');
        f.hidden = true;
        f.src = origin + '/widget/recaptcha?id=' + id + '&action=' + encodeURIComponent((opts && opts.action) || '') + '&host=' + encodeURIComponent(location.hostname);
        waiting[id] = { resolve: resolve, frame: f };
        document.body.appendChild(f);
      });
    }
  };
})();`;
}
