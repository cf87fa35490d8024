/**
 * A local stand-in for Resend's Emails API: checks the bearer key, verified domains, the
 * fields and addresses, honours Idempotency-Key (same key and body: the first answer again;
 * same key, other body: 409), and answers `{id}` or `{statusCode, message, name}`.
 */
import { randomUUID } from 'node:crypto';
import { isEmailAddress, startHttpPeer, type PeerReply } from '../../connectors/_provider/http-peer.test-helpers.js';

export interface ResendReceived {
  to: string;
  subject: string;
  from: string;
  html?: string;
  text?: string;
  replyTo?: string | string[];
  headers?: Record<string, string>;
  idempotencyKey?: string;
  id: string;
}

export interface ResendPeerOptions {
  apiKey?: string;
  /** Domains verified for sending; default: any. */
  verifiedDomains?: string[];
}

const err = (statusCode: number, name: string, message: string): PeerReply => ({
  status: statusCode,
  body: { statusCode, message, name },
});
const addressOf = (v: string) => /<([^>]*)>\s*$/.exec(v)?.[1] ?? v.trim();

export async function startResendPeer(options: ResendPeerOptions = {}) {
  const apiKey = options.apiKey ?? 're_peer_0123456789';
  const received: ResendReceived[] = [];
  const idempotency = new Map<string, { body: string; id: string }>();
  const state = { rateLimited: false, outage: false, hang: false };
  const http = await startHttpPeer(
    (req) => {
      if (req.method !== 'POST' || req.path !== '/emails')
        return err(404, 'not_found', 'The requested endpoint does not exist.');
      const auth = req.headers.authorization;
      if (!auth)
        return err(
          401,
          'missing_api_key',
          'Missing API key in the authorization header. Include the following header in your request: Authorization: Bearer YOUR_API_KEY',
        );
      if (auth !== `Bearer ${apiKey}`) return err(403, 'invalid_api_key', 'API key is invalid');
      if (state.rateLimited)
        return {
          ...err(429, 'rate_limit_exceeded', 'Too many requests. You can only make 2 requests per second.'),
          headers: { 'retry-after': '1', 'ratelimit-limit': '2', 'ratelimit-remaining': '0' },
        };
      if (state.outage) return err(500, 'application_error', 'An unexpected error occurred, please try again later.');
      const raw = req.body.toString('utf8');
      let b: Record<string, any>;
      try {
        b = JSON.parse(raw) as Record<string, any>;
      } catch {
        return err(422, 'validation_error', 'Invalid JSON body.');
      }
      const key = req.headers['idempotency-key'];
      if (typeof key === 'string') {
        const seen = idempotency.get(key);
        if (seen && seen.body !== raw)
          return err(409, 'invalid_idempotent_request', 'Same idempotency key used with a different request payload.');
        if (seen) return { status: 200, body: { id: seen.id } };
      }
      if (typeof b.from !== 'string') return err(422, 'missing_required_field', 'Missing `from` field.');
      const from = addressOf(b.from);
      if (!isEmailAddress(from))
        return err(
          422,
          'invalid_from_address',
          'Invalid `from` field. The email address needs to follow the `email@example.com` or `Name <email@example.com>` format.',
        );
      const domain = from.split('@')[1]!;
      if (options.verifiedDomains && !options.verifiedDomains.includes(domain)) {
        return err(
          403,
          'validation_error',
          `The ${domain} domain is not verified. Please, add and verify your domain on https://resend.com/domains`,
        );
      }
      const to: unknown[] = Array.isArray(b.to) ? b.to : [b.to];
      if (to.length === 0 || b.to === undefined) return err(422, 'missing_required_field', 'Missing `to` field.');
      if (!to.every((a) => typeof a === 'string' && isEmailAddress(addressOf(a)))) {
        return err(
          422,
          'validation_error',
          'Invalid `to` field. The email address needs to follow the `email@example.com` or `Name <email@example.com>` format.',
        );
      }
      if (typeof b.subject !== 'string' || !b.subject)
        return err(422, 'missing_required_field', 'Missing `subject` field.');
      if (!b.html && !b.text) return err(422, 'missing_required_field', 'Missing `html` or `text` field.');
      const id = randomUUID();
      if (typeof key === 'string') idempotency.set(key, { body: raw, id });
      received.push({
        to: (to as string[]).join(', '),
        subject: b.subject,
        from: b.from,
        id,
        ...(b.html ? { html: b.html } : {}),
        ...(b.text ? { text: b.text } : {}),
        ...(b.reply_to ? { replyTo: b.reply_to } : {}),
        ...(b.headers ? { headers: b.headers } : {}),
        ...(typeof key === 'string' ? { idempotencyKey: key } : {}),
      });
      return { status: 200, body: { id } };
    },
    { hang: () => state.hang },
  );
  return Object.assign(state, { url: http.url, nextRequest: http.nextRequest, apiKey, received, close: http.close });
}
