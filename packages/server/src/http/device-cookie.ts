import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DEVICE_COOKIE } from '../core/identity/notices.js';

/** 400 days, the longest lifetime browsers keep a cookie. */
const MAX_AGE_SECONDS = 400 * 24 * 3600;
const VALUE = /^[A-Za-z0-9_-]{32,64}$/;

/** The device cookie of the request (SPEC §19), when it has a well-formed one. */
export function deviceCookie(req: FastifyRequest): string | undefined {
  const header = req.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== DEVICE_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    return VALUE.test(value) ? value : undefined;
  }
  return undefined;
}

/**
 * Gives the browser a long-lived first-party device cookie when it has none (the hosted
 * pages set it; the experience calls they make carry it back). HttpOnly, so page scripts
 * never see it; SameSite=Lax; Secure when the public URL is https.
 */
export function ensureDeviceCookie(req: FastifyRequest, reply: FastifyReply, secure: boolean): void {
  if (deviceCookie(req)) return;
  const value = randomBytes(32).toString('base64url');
  reply.header('set-cookie', `${DEVICE_COOKIE}=${value}; Path=/; Max-Age=${MAX_AGE_SECONDS}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`);
}
