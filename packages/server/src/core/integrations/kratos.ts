import { z } from 'zod';
import type { TemplateType } from '@postern/connector-kit';
import { AppError } from '../errors.js';
import { localeTag, nonEmpty, typeOr, type OutgoingMessage } from './outgoing.js';

/** `function(ctx) ctx`, the whole-context request body, as Kratos takes it in its configuration. */
export const KRATOS_WHOLE_CONTEXT_BODY = 'base64://ZnVuY3Rpb24oY3R4KSBjdHg=';

/**
 * The body Kratos' courier posts: either its default request template (flat fields) or the
 * whole context (`function(ctx) ctx`, with `template_data`).
 */
export const KratosPayload = z.looseObject({
  recipient: z.string().min(1).max(320),
  template_type: z.string().min(1).max(100),
  message_type: z.string().optional(),
  template_data: z.record(z.string(), z.unknown()).nullable().optional(),
  to: z.string().nullable().optional(),
  recovery_code: z.string().nullable().optional(),
  recovery_url: z.string().nullable().optional(),
  verification_code: z.string().nullable().optional(),
  verification_url: z.string().nullable().optional(),
});
export type KratosPayload = z.infer<typeof KratosPayload>;

interface Mapping {
  templateType: TemplateType;
  code?: string;
  link?: string;
}

const MAP: Record<string, Mapping> = {
  login_code_valid: { templateType: 'SignIn', code: 'login_code' },
  registration_code_valid: { templateType: 'Register', code: 'registration_code' },
  recovery_code_valid: { templateType: 'ForgotPassword', code: 'recovery_code' },
  recovery_valid: { templateType: 'ForgotPassword', link: 'recovery_url' },
  verification_code_valid: { templateType: 'Register', code: 'verification_code', link: 'verification_url' },
  verification_valid: { templateType: 'Register', link: 'verification_url' },
};

function mapping(type: string): Mapping {
  const m = MAP[type];
  if (m) return m;
  if (type === 'verifiable_address_changed') return { templateType: typeOr('EmailChanged', 'Generic') };
  if (type === 'authenticator_key_added') return { templateType: typeOr('MfaChanged', 'Generic') };
  if (type.endsWith('_invalid')) return { templateType: typeOr('UnknownRecipient', 'Generic') };
  return { templateType: 'Generic' };
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** The message one courier call stands for (SPEC §18). */
export function kratosMessage(p: KratosPayload): OutgoingMessage {
  if (p.message_type !== undefined && p.message_type !== 'email') {
    throw new AppError(
      'integration.invalid_payload',
      `Postern sends email; this courier message is of type "${p.message_type}". Point only Kratos' email delivery at this URL.`,
    );
  }
  const m = mapping(p.template_type);
  const data = p.template_data ? obj(p.template_data) : undefined;
  // The default body flattens a few fields to the top level; the whole context keeps them in template_data.
  const field = (k: string) => nonEmpty(data ? str(data[k]) : str((p as Record<string, unknown>)[k]));
  const variables: Record<string, unknown> = {};
  if (m.code) {
    const code = field(m.code);
    if (!code) {
      throw new AppError(
        'integration.code_missing',
        `Kratos sent a "${p.template_type}" message without its ${m.code}: its default request body does not carry it. Set courier.http.request_config.body to ${KRATOS_WHOLE_CONTEXT_BODY} (function(ctx) ctx).`,
        { templateType: p.template_type, fix: KRATOS_WHOLE_CONTEXT_BODY },
      );
    }
    variables.code = code;
  }
  if (m.link) {
    const link = field(m.link);
    if (link) variables.link = link;
  }
  if (data) {
    const minutes = data.expires_in_minutes;
    if (typeof minutes === 'number' && Number.isFinite(minutes) && minutes > 0)
      variables.expiresInMinutes = Math.ceil(minutes);
  }
  const identity = obj(data?.identity);
  const locale =
    localeTag(obj(data?.transient_payload).locale) ??
    localeTag(obj(identity.metadata_public).locale) ??
    localeTag(obj(identity.traits).locale) ??
    localeTag(obj(data?.traits).locale);
  return { to: p.recipient, templateType: m.templateType, locale, variables };
}
