import {
  ConnectorError,
  isConnectorError,
  parseRetryAfter,
  scrubSecrets,
  type ConnectorErrorCode,
  type ConnectorErrorDetails,
} from '@postern/connector-kit';
import { transportError } from '@postern/connector-kit';

const AUTH_ERRORS = new Set([
  'SignatureDoesNotMatch',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'IncompleteSignature',
  'AccessDeniedException',
  'ExpiredTokenException',
  'MissingAuthenticationToken',
]);

interface SdkError {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
}

/**
 * Maps what the SES v2 client threw onto a connector error. Error types come from the
 * `x-amzn-ErrorType` of the answer; an error without an HTTP status never reached SES.
 */
export function sesError(err: unknown, signal: AbortSignal, recipient: string, secrets: string[]): ConnectorError {
  if (isConnectorError(err)) return err;
  const e = (err ?? {}) as SdkError;
  const status = e.$metadata?.httpStatusCode;
  if (status === undefined || signal.aborted) return transportError('Amazon SES', err, signal);
  const type = e.name ?? 'Unknown';
  const text = e.message ?? '';
  let code: ConnectorErrorCode = 'connector.delivery_failed';
  let message = `Amazon SES did not accept the message (${type}).`;
  let retryable: boolean | undefined;
  if (AUTH_ERRORS.has(type)) {
    code = 'connector.auth_failed';
    message = `Amazon SES rejected the credentials (${type}): check the access key, the secret and that the key may call ses:SendEmail in this region.`;
  } else if (type === 'TooManyRequestsException' || type === 'ThrottlingException' || status === 429) {
    code = 'connector.rate_limited';
    message = 'Amazon SES is throttling this account (maximum sending rate).';
  } else if (type === 'LimitExceededException') {
    code = 'connector.rate_limited';
    message = 'Amazon SES says a sending quota is used up.';
    retryable = false;
  } else if (type === 'MessageRejected') {
    if (recipient && text.toLowerCase().includes(recipient.toLowerCase())) {
      code = 'connector.rejected_recipient';
      message = 'Amazon SES rejected the recipient (in the sandbox, recipients must be verified identities too).';
    } else
      message =
        'Amazon SES rejected the message; often the From address or its domain is not a verified identity in this region.';
  } else if (type === 'MailFromDomainNotVerifiedException') {
    message =
      'Amazon SES refused to send: the custom MAIL FROM domain of the identity is not verified (check its MX and SPF records).';
  } else if (type === 'AccountSuspendedException') {
    message = 'Amazon SES refused to send: sending is suspended for this account (see the SES account dashboard).';
  } else if (type === 'SendingPausedException') {
    message = 'Amazon SES refused to send: sending is paused for this account or configuration set.';
  } else if (type === 'NotFoundException') {
    message = 'Amazon SES could not find a resource the message names (is the configuration set right?).';
  } else if (status >= 500) {
    code = 'connector.unavailable';
    message = `Amazon SES answered with a server error (HTTP ${status}).`;
  }
  const details: ConnectorErrorDetails = { providerStatus: status, providerErrorType: type };
  if (text) details.providerMessage = scrubSecrets(text, secrets);
  if (code === 'connector.rate_limited') {
    const retryAfter = parseRetryAfter(e.$response?.headers?.['retry-after']);
    if (retryAfter !== undefined) details.retryAfter = retryAfter;
  }
  return new ConnectorError(code, message, {
    details,
    cause: err,
    ...(retryable === undefined ? (status >= 500 ? { retryable: true } : {}) : { retryable }),
  });
}
