import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Where `npm run build` puts the console and hosted pages (packages/console/dist). */
export const CONSOLE_DIST = fileURLToPath(new URL('../../../../console/dist', import.meta.url));

/** Hosted end-user pages, served by the same single-page bundle as the console. */
export const HOSTED_PAGES = ['/sign-in', '/register', '/forgot-password', '/mfa', '/account', '/invitation/:token'];

/**
 * Serves the built console under /console/ and the hosted pages at their paths. Every
 * page path answers the app's index.html; the app routes on the client.
 */
export async function staticRoutes(app: FastifyInstance, dist = CONSOLE_DIST): Promise<void> {
  const index = join(dist, 'index.html');
  const built = existsSync(index);
  const page = () =>
    built
      ? readFileSync(index, 'utf8')
      : '<!doctype html><meta charset="utf-8"><title>Postern</title><p>The console is not built yet. Run <code>npm run build</code> and restart.</p>';
  if (built) {
    await app.register(fastifyStatic, { root: join(dist, 'assets'), prefix: '/console/assets/', decorateReply: false, index: false, maxAge: '1y', immutable: true });
  }
  const sendPage = async (_req: unknown, reply: { type(t: string): { header(k: string, v: string): { send(b: string): unknown } } }) =>
    reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'self'; img-src 'self' https: data:; style-src 'self' 'unsafe-inline'; frame-src 'self' blob: data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
      .send(page());
  const opts = { schema: { hide: true }, config: { auth: 'public' as const } };
  app.get('/console', opts, sendPage as never);
  app.get('/console/*', opts, sendPage as never);
  for (const p of HOSTED_PAGES) app.get(p, opts, sendPage as never);
  app.get('/', opts, async (_req, reply) => reply.redirect('/console/'));
}
