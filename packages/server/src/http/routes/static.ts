import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MAGIC_LINK_CSRF_COOKIE, magicLinkCsrf } from './identity/magic-links.js';
import { ensureDeviceCookie } from '../device-cookie.js';
import type { CaptchaWidget } from '../../core/abuse/widget.js';

/** Where `npm run build` puts the console (packages/console/dist). */
export const CONSOLE_DIST = fileURLToPath(new URL('../../../../console/dist', import.meta.url));
/** Where `npm run build` puts the hosted end-user pages (packages/pages/dist). */
export const PAGES_DIST = fileURLToPath(new URL('../../../../pages/dist', import.meta.url));

/** Hosted end-user pages, served by their own single-page bundle. */
export const HOSTED_PAGES = ['/sign-in', '/register', '/forgot-password', '/mfa', '/account', '/invitation/:token'];

/** The console's live preview of the sign-in page (Branding), the one hosted page that may be framed, and only by Postern's own origin. */
export const PREVIEW_PAGE = '/preview/sign-in';

/**
 * The pages' content security policy; with a bot-protection widget on (SPEC §19) its
 * script, frame, style and connect origins are added, and only then. `framedBy` is `'self'`
 * for the preview page alone: every real page refuses to be framed.
 */
export function contentSecurityPolicy(widget: CaptchaWidget | null = null, framedBy: "'none'" | "'self'" = "'none'"): string {
  const add = (list: string[] | undefined) => (list?.length ? ' ' + list.join(' ') : '');
  return [
    "default-src 'self'",
    `script-src 'self'${add(widget?.scriptSrc)}`,
    `connect-src 'self'${add(widget?.connectSrc)}`,
    "img-src 'self' https: data:",
    `style-src 'self' 'unsafe-inline'${add(widget?.styleSrc)}`,
    `frame-src 'self' blob: data:${add(widget?.frameSrc)}`,
    "object-src 'none'",
    "base-uri 'none'",
    `frame-ancestors ${framedBy}`,
  ].join('; ');
}
const CSP = contentSecurityPolicy();

/** A built single-page bundle: its index.html for every page path, its assets under `prefix`. */
async function bundle(app: FastifyInstance, dist: string, prefix: string, what: string) {
  const index = join(dist, 'index.html');
  const built = existsSync(index);
  const page = () =>
    built
      ? readFileSync(index, 'utf8')
      : `<!doctype html><meta charset="utf-8"><title>Postern</title><p>The ${what} ${what.endsWith('s') ? 'are' : 'is'} not built yet. Run <code>npm run build</code> and restart.</p>`;
  if (built) {
    await app.register(fastifyStatic, {
      root: join(dist, 'assets'),
      prefix,
      decorateReply: false,
      index: false,
      maxAge: '1y',
      immutable: true,
    });
  }
  return async (_req: unknown, reply: FastifyReply, transform: (html: string) => string = (h) => h, csp = CSP) =>
    reply.type('text/html; charset=utf-8').header('content-security-policy', csp).send(transform(page()));
}

/**
 * Serves the built console under /console/ and the hosted pages at their paths. Every
 * page path answers its app's index.html; the app routes on the client.
 */
export async function staticRoutes(
  app: FastifyInstance,
  dist = { console: CONSOLE_DIST, pages: PAGES_DIST },
  opts_: {
    secureCookies?: boolean;
    /** The tenant's bot-protection widget, whose origins the hosted pages' CSP allows. */
    captchaWidget?: (tenantId: string) => Promise<CaptchaWidget | null>;
  } = {},
): Promise<void> {
  const consolePage = await bundle(app, dist.console, '/console/assets/', 'console');
  const pageOnly = await bundle(app, dist.pages, '/pages/assets/', 'hosted pages');
  // The hosted pages give the browser its device cookie (SPEC §19: new-sign-in notices).
  const hostedPage = async (req: FastifyRequest, reply: FastifyReply, transform?: (html: string) => string) => {
    ensureDeviceCookie(req, reply, opts_.secureCookies ?? false);
    // An unknown tenant or an unreadable setting: the page keeps the strict policy.
    const widget = await opts_.captchaWidget?.(req.tenantId).catch(() => null);
    return pageOnly(req, reply, transform, contentSecurityPolicy(widget ?? null));
  };
  const opts = { schema: { hide: true }, config: { auth: 'public' as const } };
  app.get('/console', opts, consolePage);
  app.get('/console/*', opts, consolePage);
  for (const p of HOSTED_PAGES) app.get(p, opts, (req, reply) => hostedPage(req, reply));
  // The preview signs nobody in (its card is inert) and takes unsaved branding only from a
  // parent frame of this origin (packages/pages/src/preview.ts), so only this origin may frame it.
  app.get(PREVIEW_PAGE, opts, (req, reply) => pageOnly(req, reply, undefined, contentSecurityPolicy(null, "'self'")));
  // A magic link's confirmation page (SPEC §19). Opening it (GET, HEAD, a prefetch, a mail
  // scanner) spends nothing: the page only carries a fresh CSRF token, in a meta tag and in
  // an HttpOnly SameSite=Strict cookie, that its "Sign in" button must send back.
  app.get('/magic-link/:token', opts, async (req: FastifyRequest, reply) => {
    const csrf = magicLinkCsrf();
    const secure = opts_.secureCookies ? '; Secure' : '';
    reply
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .header('x-robots-tag', 'noindex, nofollow')
      .header('set-cookie', `${MAGIC_LINK_CSRF_COOKIE}=${csrf}; Path=/; HttpOnly; SameSite=Strict; Max-Age=3600${secure}`);
    const meta = `<meta name="postern-csrf" content="${csrf}"><meta name="referrer" content="no-referrer">`;
    return hostedPage(req, reply, (html) => (/<\/head>/i.test(html) ? html.replace(/<\/head>/i, `${meta}</head>`) : meta + html));
  });
  app.get('/', opts, async (_req, reply) => reply.redirect('/console/'));
}
