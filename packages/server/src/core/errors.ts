import { CONNECTOR_ERRORS } from '@postern/connector-kit';
import { MAX_JSON_DEPTH } from '../lib/json-depth.js';

/**
 * The one catalogue of error codes (SPEC §2): code → HTTP status → default message.
 * `docs/errors.md` lists the same codes; a test keeps the two equal. Errors become HTTP
 * responses in exactly one place, the error handler in http/errors.ts.
 */
export const ERRORS = {
  'request.invalid': { status: 400, message: 'The request is invalid.' },
  'request.too_large': { status: 413, message: 'The request body is larger than 1 MB.' },
  'request.not_found': { status: 404, message: 'No such route.' },
  'request.method_not_allowed': { status: 405, message: 'The method is not allowed on this route.' },
  'auth.unauthorized': { status: 401, message: 'A valid admin key is required (Authorization: Bearer <key>).' },
  'auth.forbidden': { status: 403, message: 'This key may not act on this tenant.' },
  'tenant.not_found': { status: 404, message: 'No such tenant.' },
  'tenant.already_exists': { status: 409, message: 'A tenant with this id already exists.' },
  'admin_key.not_found': { status: 404, message: 'No such admin key.' },
  'admin_key.last_system_key': { status: 409, message: 'This is the last system admin key; rotate it, or create another system key before revoking it.' },
  ...CONNECTOR_ERRORS,
  'connector.not_found': { status: 404, message: 'No such connector.' },
  'connector.factory_not_found': { status: 404, message: 'No such connector factory.' },
  'connector.already_exists': { status: 409, message: 'This tenant already has an email connector.' },
  'connector.in_use': { status: 409, message: 'The sign-in experience needs this email connector.' },
  'connector.not_configured': { status: 422, message: 'This tenant has no email connector.' },
  'sign_in_experience.email_connector_required': {
    status: 422,
    message: 'These settings need an email connector, and this tenant has none.',
  },
  'sign_in_experience.no_sign_in_method': { status: 422, message: 'Sign-in must keep at least one method.' },
  'template.invalid': { status: 422, message: 'The template is invalid.' },
  'template.not_found': { status: 404, message: 'No such template.' },
  'mailbox.not_found': { status: 404, message: 'No such captured message.' },
  'email_log.not_found': { status: 404, message: 'No such email log entry.' },
  'user.not_found': { status: 404, message: 'No such user.' },
  'application.not_found': { status: 404, message: 'No such application.' },
  'oidc.interaction_not_found': { status: 404, message: 'This sign-in request has expired or belongs to another browser; start again from the application.' },
  'user.no_email': { status: 400, message: 'This user has no email address to send to.' },
  'user.email_exists': { status: 409, message: 'An account with this email address exists already.' },
  'password.policy_violation': { status: 422, message: 'The password does not meet the password policy.' },
  'registration.disabled': { status: 403, message: 'Sign-up is turned off for this application.' },
  'experience.method_disabled': { status: 403, message: 'This sign-in method is turned off for this application.' },
  'session.invalid_credentials': { status: 401, message: 'The email address or the password is wrong.' },
  'session.locked': { status: 429, message: 'Too many wrong passwords; try again later.' },
  'session.rate_limited': { status: 429, message: 'Too many failed sign-ins from this network; try again later.' },
  'session.invalid_token': { status: 401, message: 'The token is invalid or has expired.' },
  'session.not_found': { status: 404, message: 'This user has no such session; it may have ended already.' },
  'account.unauthorized': { status: 401, message: 'A valid access token is required (Authorization: Bearer <accessToken>).' },
  'account.identity_verification_required': { status: 403, message: 'Verify your identity first (Identity-Verification header).' },
  'account.email_required': { status: 422, message: 'The account has no email address.' },
  'organization.not_found': { status: 404, message: 'No such organization.' },
  'invitation.not_found': { status: 404, message: 'No such invitation.' },
  'invitation.not_pending': { status: 410, message: 'The invitation was revoked, accepted or has expired.' },
  'invitation.email_mismatch': { status: 403, message: 'The invitation is for another email address.' },
  'verification_code.not_found': { status: 404, message: 'No such verification.' },
  'verification_code.expired': { status: 400, message: 'The code has expired.' },
  'verification_code.mismatch': { status: 400, message: 'The code is wrong.' },
  'verification_code.exhausted': { status: 400, message: 'Too many wrong codes; ask for a new one.' },
  'verification_code.locked': { status: 429, message: 'Too many failed attempts; try again later.' },
  'verification_code.rate_limited': { status: 429, message: 'Too many codes requested; try again later.' },
  'outbox.not_found': { status: 404, message: 'No such outbox message.' },
  'outbox.not_queued': { status: 409, message: 'Only a queued message can be cancelled.' },
  'dkim_key.not_found': { status: 404, message: 'No such DKIM key.' },
  'dkim_key.already_exists': { status: 409, message: 'A DKIM key for this domain and selector exists already.' },
  'dkim_key.in_use': { status: 409, message: 'The email connector signs with this DKIM key.' },
  'webhook.invalid_signature': {
    status: 401,
    message: 'The webhook request is unsigned, mis-signed, stale or replayed.',
  },
  'recipient.suppressed': { status: 422, message: 'The address is on the suppression list.' },
  'webhook.not_found': { status: 404, message: 'No such webhook.' },
  'webhook.delivery_not_found': { status: 404, message: 'No such delivery of this webhook.' },
  'suppression.not_found': { status: 404, message: 'The address is not on the suppression list.' },
  'integration.not_found': { status: 404, message: 'No such integration.' },
  'integration.unauthorized': { status: 401, message: 'The call is not signed or authenticated with this integration\'s secret.' },
  'integration.invalid_payload': { status: 400, message: 'The body is not what this system sends.' },
  'integration.code_missing': { status: 422, message: 'This message needs a code, and the request carries none.' },
  'smtp_credential.not_found': { status: 404, message: 'No such SMTP credential.' },
  'smtp.disabled': { status: 404, message: 'The SMTP listener is off; set POSTERN_SMTP_PORT or POSTERN_SMTPS_PORT to turn it on.' },
  'captcha.required': { status: 400, message: 'Solve the bot check first (captchaToken is missing).' },
  'captcha.invalid': { status: 403, message: 'The bot check failed; solve it again.' },
  'captcha.unavailable': { status: 503, message: 'The bot check cannot be verified right now; try again shortly.' },
  'magic_link.forbidden': { status: 403, message: 'Open the link from your email and press Sign in on its page; this request did not come from that page.' },
  'email.blocked': { status: 422, message: 'This email address cannot be used here.' },
  'service.unavailable': { status: 503, message: 'A backing service is unavailable; try again shortly.' },
  'internal.error': { status: 500, message: 'Something went wrong on our side.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** An error with a catalogue code; the error handler turns it into `{code, message, details}`. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown>;
  /** Extra response headers (Retry-After). */
  readonly headers: Record<string, string>;

  constructor(
    code: ErrorCode,
    message?: string,
    details: Record<string, unknown> = {},
    options: { cause?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(message ?? ERRORS[code].message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.details = details;
    this.headers = options.headers ?? {};
  }
}

export interface FieldIssue {
  path: string;
  message: string;
}

/** zod issues as `{path, message}` field errors; unknown keys name each key. */
export function fieldIssues(error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string; code?: string; keys?: string[] }> }, prefix: string[] = []): FieldIssue[] {
  return error.issues.flatMap((i) => {
    const base = [...prefix, ...i.path.map(String)];
    if (i.code === 'unrecognized_keys' && i.keys?.length) return i.keys.map((k) => ({ path: [...base, k].join('.'), message: 'unknown field' }));
    return [{ path: base.join('.'), message: i.message }];
  });
}

/** `400 request.invalid` for a document that failed its schema, naming the fields. */
export function invalidDocument(what: string, error: Parameters<typeof fieldIssues>[0], prefix: string[] = []): AppError {
  const issues = fieldIssues(error, prefix);
  return new AppError('request.invalid', `Invalid ${what}: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`.slice(0, 500), { issues });
}

/** `400 request.invalid` for a JSON document nested deeper than the service accepts. */
export function tooDeep(): AppError {
  return new AppError('request.invalid', `The JSON document is nested too deeply (at most ${MAX_JSON_DEPTH} levels).`, { issues: [{ path: 'body', message: `nested deeper than ${MAX_JSON_DEPTH} levels` }] });
}
