/** Turns an end-user API error into a sentence in the page's language, plus field errors. */
import { PosternError } from '@postern/client';
import { retryAfterOf } from './client.js';
import type { StringKey } from './i18n.js';

type T = (key: StringKey, vars?: Record<string, string | number>) => string;

export interface Explained {
  message: string;
  /** Field name (`email`, `code`, `password`, …) → message, from `details.issues` or `details.field`. */
  fields: Record<string, string>;
  code: string;
}

export function waitText(t: T, seconds: number): string {
  return seconds >= 120 ? t('minutes', { n: Math.ceil(seconds / 60) }) : t('seconds', { n: seconds });
}

const FIELD_HINT: Record<string, StringKey | undefined> = { email: 'fieldEmail', code: 'fieldCode' };

export function explain(t: T, error: unknown, extra: Record<string, string> = {}): Explained {
  const e = error instanceof PosternError ? error : new PosternError(0, 'client.error', error instanceof Error ? error.message : String(error));
  // A plain string, so that each case narrows it to the literal code.
  const code: string = e.code;
  const d = e.details;
  const fields: Record<string, string> = {};
  const wait = waitText(t, retryAfterOf(e) ?? 60);
  let message: string;
  switch (code) {
    case 'verification_code.mismatch':
      message = typeof d.attemptsLeft === 'number' ? t('verification_code.mismatch', { n: d.attemptsLeft }) : t('verification_code.mismatch.none');
      fields.code = message;
      break;
    case 'verification_code.expired':
    case 'verification_code.exhausted':
    case 'verification_code.not_found':
      message = t(code);
      fields.code = message;
      break;
    case 'verification_code.locked':
    case 'verification_code.rate_limited':
    case 'session.locked':
      message = t(code, { wait });
      break;
    case 'password.policy_violation': {
      message = typeof d.minLength === 'number' ? t('password.policy_violation', { min: d.minLength, max: typeof d.maxLength === 'number' ? d.maxLength : 256 }) : t('password.policy_violation.none');
      fields[typeof d.field === 'string' ? d.field : 'password'] = message;
      break;
    }
    case 'request.invalid':
      message = t('request.invalid');
      for (const i of e.issues) {
        const name = i.path.replace(/^body\.?/, '').split('.')[0] || 'form';
        const hint = i.message === 'required' ? 'fieldRequired' : i.message === 'not accepted' && name === 'password' ? 'passwordNotAccepted' : FIELD_HINT[name];
        fields[name] = hint ? t(hint) : i.message;
      }
      break;
    case 'invitation.email_mismatch':
      message = t(code, { email: extra.email ?? '', current: extra.current ?? '' });
      break;
    case 'session.invalid_credentials':
    case 'session.invalid_token':
    case 'user.email_exists':
    case 'registration.disabled':
    case 'experience.method_disabled':
    case 'service.unavailable':
    case 'account.unauthorized':
    case 'account.identity_verification_required':
    case 'invitation.not_pending':
    case 'invitation.not_found':
    case 'network.error':
    case 'magic_link.forbidden':
    case 'captcha.required':
    case 'captcha.invalid':
    case 'captcha.unavailable':
      message = t(code);
      if (code === 'user.email_exists') fields.email = message;
      break;
    default:
      message = code.startsWith('connector.') ? t('connector.any') : t('genericError', { code });
  }
  return { message, fields, code };
}
