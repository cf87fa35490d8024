import type { ConnectorError, ConnectorErrorCode } from '@postern/connector-kit';
import { providerFailure, type ProviderResponse } from '@postern/connector-kit';

interface SendgridError {
  message?: unknown;
  field?: unknown;
}

function errorsOf(json: unknown): SendgridError[] {
  const list = (json as { errors?: unknown } | undefined)?.errors;
  return Array.isArray(list) ? list.filter((e): e is SendgridError => !!e && typeof e === 'object') : [];
}

/** Maps a SendGrid v3 error answer (`{errors:[{message, field, help}]}`) onto a connector error. */
export function sendgridError(res: ProviderResponse, secrets: string[]): ConnectorError {
  const errors = errorsOf(res.json);
  const text = errors
    .map((e) => (typeof e.field === 'string' && e.field ? `${e.field}: ${String(e.message)}` : String(e.message)))
    .join('; ');
  const fields = errors.map((e) => (typeof e.field === 'string' ? e.field : ''));
  let code: ConnectorErrorCode = 'connector.delivery_failed';
  let message = 'SendGrid did not accept the message.';
  let retryAfter: number | undefined;
  if (res.status === 401) {
    code = 'connector.auth_failed';
    message = 'SendGrid rejected the API key.';
  } else if (res.status === 403) {
    if (/sender identity|from address/i.test(text)) {
      message =
        'SendGrid refused the From address: it is not a verified Sender Identity (verify the address or its domain in SendGrid).';
    } else {
      code = 'connector.auth_failed';
      message = 'SendGrid refused the API key for Mail Send (check its permissions).';
    }
  } else if (res.status === 413) {
    message = 'SendGrid refused the message as too large.';
  } else if (res.status === 429) {
    code = 'connector.rate_limited';
    message = 'SendGrid is rate limiting this API key.';
    const reset = Number(res.headers.get('x-ratelimit-reset'));
    if (Number.isFinite(reset) && reset > 0) retryAfter = Math.max(0, Math.ceil(reset - Date.now() / 1000));
  } else if (res.status >= 500) {
    code = 'connector.unavailable';
    message = `SendGrid answered with a server error (HTTP ${res.status}).`;
  } else if (fields.some((f) => f === 'template_id')) {
    code = 'connector.template_not_found';
    message = 'SendGrid does not know the configured dynamic template id.';
  } else if (fields.some((f) => /^personalizations\.\d+\.to/.test(f))) {
    code = 'connector.rejected_recipient';
    message = 'SendGrid rejected the recipient address.';
  }
  return providerFailure({
    provider: 'SendGrid',
    code,
    message,
    response: res,
    providerMessage: text || undefined,
    secrets,
    retryAfter,
  });
}
