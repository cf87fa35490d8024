import { createHmac, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { safeEqual } from '../../lib/crypto.js';
import { AppError } from '../errors.js';
import { localeTag, nonEmpty, type OutgoingMessage } from './outgoing.js';

/** Standard Webhooks allows this much clock difference either way. */
export const SUPABASE_TOLERANCE_SECONDS = 300;

/** A new secret in the form Supabase's configuration takes (`v1,whsec_<base64 of 32 bytes>`). */
export function newSupabaseSecret(): string {
  return `v1,whsec_${randomBytes(32).toString('base64')}`;
}

function keyOf(secret: string): Buffer {
  return Buffer.from(secret.replace(/^v1,/, '').replace(/^whsec_/, ''), 'base64');
}

/** `v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>` as Standard Webhooks signs. */
export function standardWebhookSignature(secret: string, id: string, timestamp: string, body: string): string {
  return `v1,${createHmac('sha256', keyOf(secret)).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

export interface SignedHeaders {
  id: string;
  timestamp: string;
  signature: string;
}

export function signedHeaders(h: Record<string, string | string[] | undefined>): SignedHeaders {
  const one = (k: string) => {
    const v = h[k];
    return typeof v === 'string' ? v : undefined;
  };
  const id = one('webhook-id');
  const timestamp = one('webhook-timestamp');
  const signature = one('webhook-signature');
  if (!id || !timestamp || !signature)
    throw new AppError(
      'integration.unauthorized',
      'The webhook-id, webhook-timestamp and webhook-signature headers are required (Standard Webhooks).',
    );
  return { id, timestamp, signature };
}

/**
 * Checks the timestamp (±5 minutes) and that one of the signatures in the header (GoTrue
 * joins several with ", ") was made with `secret`. Throws `integration.unauthorized`.
 */
export function verifyStandardWebhook(secrets: string[], h: SignedHeaders, body: string, nowMs: number): number {
  if (!/^\d{1,12}$/.test(h.timestamp))
    throw new AppError('integration.unauthorized', 'The webhook-timestamp header is not a Unix time in seconds.');
  const skew = Math.abs(nowMs / 1000 - Number(h.timestamp));
  if (skew > SUPABASE_TOLERANCE_SECONDS)
    throw new AppError(
      'integration.unauthorized',
      `The webhook-timestamp is ${Math.round(skew)} seconds away from this server's clock (at most ${SUPABASE_TOLERANCE_SECONDS} allowed).`,
    );
  const given = h.signature
    .split(/[\s]+/)
    .map((p) => p.replace(/,$/, ''))
    .filter((p) => p.startsWith('v1,'));
  for (let i = 0; i < secrets.length; i++) {
    const expected = standardWebhookSignature(secrets[i]!, h.id, h.timestamp, body);
    if (given.some((g) => safeEqual(g, expected))) return i;
  }
  throw new AppError(
    'integration.unauthorized',
    "The webhook-signature does not match any secret of this tenant's Supabase integrations.",
  );
}

const EmailData = z.looseObject({
  token: z.string().default(''),
  token_hash: z.string().default(''),
  redirect_to: z.string().default(''),
  email_action_type: z.string().min(1),
  site_url: z.string().default(''),
  token_new: z.string().default(''),
  token_hash_new: z.string().default(''),
  old_email: z.string().default(''),
});
export const SupabasePayload = z.looseObject({
  user: z.looseObject({
    email: z.string().default(''),
    new_email: z.string().optional(),
    user_metadata: z.record(z.string(), z.unknown()).nullable().optional(),
  }),
  email_data: EmailData,
});
export type SupabasePayload = z.infer<typeof SupabasePayload>;

function verifyLink(
  supabaseUrl: string | null,
  tokenHash: string,
  type: string,
  redirectTo: string,
): string | undefined {
  if (!supabaseUrl || !tokenHash) return undefined;
  const q = new URLSearchParams({ token: tokenHash, type });
  if (redirectTo) q.set('redirect_to', redirectTo);
  return `${supabaseUrl.replace(/\/+$/, '')}/auth/v1/verify?${q.toString()}`;
}

/** The messages one Send Email Hook call stands for (SPEC §18). */
export function supabaseMessages(p: SupabasePayload, supabaseUrl: string | null): OutgoingMessage[] {
  const d = p.email_data;
  const type = d.email_action_type;
  const locale = localeTag(p.user.user_metadata?.locale);
  const vars = (code: string, hash: string): Record<string, unknown> => {
    const v: Record<string, unknown> = {};
    if (code) v.code = code;
    const link = verifyLink(supabaseUrl, hash, type, d.redirect_to);
    if (link) v.link = link;
    return v;
  };
  const email = nonEmpty(p.user.email);
  const need = (to: string | undefined, what: string): string => {
    if (!to)
      throw new AppError(
        'integration.invalid_payload',
        `The hook's body has no ${what} to send the "${type}" message to.`,
      );
    return to;
  };
  switch (type) {
    case 'signup':
    case 'invite':
      return [
        { to: need(email, 'user.email'), templateType: 'Register', locale, variables: vars(d.token, d.token_hash) },
      ];
    case 'recovery':
      return [
        {
          to: need(email, 'user.email'),
          templateType: 'ForgotPassword',
          locale,
          variables: vars(d.token, d.token_hash),
        },
      ];
    case 'magiclink':
    case 'email':
      return [
        { to: need(email, 'user.email'), templateType: 'SignIn', locale, variables: vars(d.token, d.token_hash) },
      ];
    case 'reauthentication':
      return [
        {
          to: need(email, 'user.email'),
          templateType: 'UserPermissionValidation',
          locale,
          variables: vars(d.token, ''),
        },
      ];
    case 'email_change': {
      const newEmail = need(nonEmpty(p.user.new_email), 'user.new_email');
      // Secure email change: `token_new` (with `token_hash`) is the new address's code and
      // `token` (with `token_hash_new`) the current one's; otherwise `token` is the new one's.
      if (!d.token_new)
        return [{ to: newEmail, templateType: 'BindNewIdentifier', locale, variables: vars(d.token, d.token_hash) }];
      const out: OutgoingMessage[] = [
        { to: newEmail, templateType: 'BindNewIdentifier', locale, variables: vars(d.token_new, d.token_hash) },
      ];
      if (email && d.token)
        out.push({
          to: email,
          // A code to confirm from the current address: EmailChanged is a notice without a code.
          templateType: 'UserPermissionValidation',
          locale,
          variables: vars(d.token, d.token_hash_new),
        });
      return out;
    }
    default:
      return [
        { to: need(email, 'user.email'), templateType: 'Generic', locale, variables: vars(d.token, d.token_hash) },
      ];
  }
}
