import type { ConnectorError, ConnectorErrorCode } from '@postern/connector-kit';
import { numberField, providerFailure, stringField, type ProviderResponse } from '@postern/connector-kit';

/**
 * Maps a Postmark error answer onto a connector error. Postmark's `ErrorCode` is its own
 * catalogue, not the HTTP status: 10 bad token, 300 invalid request, 400 sender signature
 * not found, 406 inactive recipient, 1101 template not found, 1235 unknown message stream.
 */
export function postmarkError(res: ProviderResponse, secrets: string[]): ConnectorError {
  const errorCode = numberField(res.json, 'ErrorCode');
  const text = stringField(res.json, 'Message') ?? res.text.trim();
  let code: ConnectorErrorCode = 'connector.delivery_failed';
  let message = 'Postmark did not accept the message.';
  if (res.status === 401 || errorCode === 10) {
    code = 'connector.auth_failed';
    message = 'Postmark rejected the server token.';
  } else if (res.status === 429) {
    code = 'connector.rate_limited';
    message = 'Postmark is rate limiting this server.';
  } else if (res.status >= 500) {
    code = 'connector.unavailable';
    message = `Postmark answered with a server error (HTTP ${res.status}).`;
  } else if (errorCode === 406) {
    code = 'connector.rejected_recipient';
    message =
      'Postmark refused the recipient: it is marked inactive after a hard bounce, a spam complaint or a manual suppression.';
  } else if (errorCode === 300 && /'To'/.test(text)) {
    code = 'connector.rejected_recipient';
    message = 'Postmark rejected the recipient address.';
  } else if (errorCode === 400) {
    message =
      'Postmark refused the From address: it is not a confirmed Sender Signature (add and confirm the address or its domain in Postmark).';
  } else if (errorCode === 1101) {
    code = 'connector.template_not_found';
    message = 'Postmark does not know the configured template alias on this server.';
  } else if (errorCode === 1235) {
    message = 'Postmark does not know the configured message stream on this server.';
  } else if (errorCode === 412 || errorCode === 405) {
    message = 'Postmark does not allow this account to send yet (pending approval or out of credits).';
  }
  return providerFailure({
    provider: 'Postmark',
    code,
    message,
    response: res,
    providerMessage: text || undefined,
    secrets,
    ...(errorCode === undefined ? {} : { details: { providerErrorCode: errorCode } }),
  });
}
