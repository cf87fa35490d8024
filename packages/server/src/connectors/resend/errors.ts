import type { ConnectorError, ConnectorErrorCode } from '@postern/connector-kit';
import { providerFailure, stringField, type ProviderResponse } from '@postern/connector-kit';

/** Maps a Resend error answer (`{statusCode, name, message}`) onto a connector error. */
export function resendError(res: ProviderResponse, secrets: string[]): ConnectorError {
  const name = stringField(res.json, 'name');
  const text = stringField(res.json, 'message') ?? res.text.trim();
  let code: ConnectorErrorCode = 'connector.delivery_failed';
  let message = 'Resend did not accept the message.';
  if (res.status === 403 && name === 'validation_error') {
    // A 403 that is not about the key: an unverified domain, or a testing-only account.
    message =
      'Resend refused the sender: verify the domain of the From address in Resend (until then it only sends to your own address).';
  } else if (res.status === 401 || res.status === 403) {
    code = 'connector.auth_failed';
    message = 'Resend rejected the API key.';
  } else if (res.status === 429) {
    code = 'connector.rate_limited';
    message =
      name === 'daily_quota_exceeded'
        ? 'Resend says the daily sending quota is used up.'
        : 'Resend is rate limiting this API key.';
  } else if (res.status >= 500) {
    code = 'connector.unavailable';
    message = `Resend answered with a server error (HTTP ${res.status}).`;
  } else if (res.status === 422 && /`to`/.test(text)) {
    code = 'connector.rejected_recipient';
    message = 'Resend rejected the recipient address.';
  } else if (name === 'invalid_from_address') {
    message = 'Resend refused the From address.';
  }
  return providerFailure({
    provider: 'Resend',
    code,
    message,
    response: res,
    providerMessage: text || undefined,
    secrets,
    ...(name ? { details: { providerErrorName: name } } : {}),
  });
}
