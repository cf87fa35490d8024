import type { ConnectorError, ConnectorErrorCode } from '@postern/connector-kit';
import { providerFailure, stringField, type ProviderResponse } from '@postern/connector-kit';

const AUTH_CODES =
  /^(InvalidAccessKeyId(\..+)?|SignatureDoesNotMatch|IncompleteSignature|Forbidden(\..+)?|NoPermission|InvalidSecurityToken(\..+)?)$/;

/** Maps a DirectMail error answer (`{RequestId, HostId, Code, Message}`) onto a connector error. */
export function aliyunDmError(res: ProviderResponse, secrets: string[]): ConnectorError {
  const providerCode = stringField(res.json, 'Code') ?? '';
  const text = stringField(res.json, 'Message') ?? res.text.trim();
  let code: ConnectorErrorCode = 'connector.delivery_failed';
  let message = `DirectMail did not accept the message (${providerCode || `HTTP ${res.status}`}).`;
  let retryable: boolean | undefined;
  let retryAfter: number | undefined;
  if (AUTH_CODES.test(providerCode)) {
    code = 'connector.auth_failed';
    message = `DirectMail rejected the credentials (${providerCode}): check the AccessKey ID and secret, and that the RAM user may use DirectMail.`;
  } else if (providerCode === 'Throttling' || providerCode.startsWith('Throttling.')) {
    // Throttling.User, Throttling.Api, …: per-second flow control. DirectMail sends no
    // Retry-After, so the wait is one second, like its SDKs' first back-off.
    code = 'connector.rate_limited';
    message = `DirectMail is rate limiting this account (${providerCode}).`;
    retryAfter = 1;
  } else if (providerCode.startsWith('InvalidToAddress')) {
    code = 'connector.rejected_recipient';
    message = 'DirectMail rejected the recipient address.';
  } else if (providerCode === 'ServiceUnavailable' || providerCode === 'InternalError' || res.status >= 500) {
    code = 'connector.unavailable';
    message = `DirectMail is unavailable (${providerCode || `HTTP ${res.status}`}).`;
  } else if (providerCode === 'InvalidMailAddress.NotFound' || providerCode === 'InvalidAccountName') {
    message =
      'DirectMail does not know the sender address (accountName) in this region: create it under Sender Addresses, in the region set here.';
  } else if (providerCode === 'InvalidTimeStamp.Expired') {
    message = "DirectMail refused the request's timestamp: check this server's clock.";
  } else if (providerCode === 'SignatureNonceUsed') {
    message = 'DirectMail saw this request nonce before.';
    retryable = true;
  }
  return providerFailure({
    provider: 'DirectMail',
    code,
    message,
    response: res,
    providerMessage: text || undefined,
    secrets,
    retryAfter,
    ...(providerCode ? { details: { providerErrorCode: providerCode } } : {}),
    ...(retryable === undefined ? {} : { retryable }),
  });
}
