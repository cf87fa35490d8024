import type { ConnectorError, ConnectorErrorCode } from '@postern/connector-kit';
import { providerFailure, stringField, type ProviderResponse } from '@postern/connector-kit';

/** Maps a Mailgun Messages API error (`{"message"}` JSON, or plain `Forbidden`) onto a connector error. */
export function mailgunError(res: ProviderResponse, domain: string, secrets: string[]): ConnectorError {
  const text = stringField(res.json, 'message') ?? res.text.trim();
  let code: ConnectorErrorCode = 'connector.delivery_failed';
  let message = 'Mailgun did not accept the message.';
  if (res.status === 401) {
    code = 'connector.auth_failed';
    message = `Mailgun refused the request (Forbidden): either the API key is wrong, or the region is. A domain created in the EU region must use region "eu" (api.eu.mailgun.net) and a US one region "us"; a wrong region answers exactly like a wrong key.`;
  } else if (res.status === 403 && /authorized recipients/i.test(text)) {
    code = 'connector.rejected_recipient';
    message = 'Mailgun refused the recipient: a sandbox domain only sends to its authorized recipients.';
  } else if (res.status === 403) {
    code = 'connector.auth_failed';
    message = 'Mailgun refused the API key for this domain.';
  } else if (res.status === 429) {
    code = 'connector.rate_limited';
    message = 'Mailgun is rate limiting this account.';
  } else if (res.status >= 500) {
    code = 'connector.unavailable';
    message = `Mailgun answered with a server error (HTTP ${res.status}).`;
  } else if (/template/i.test(text) && /not found/i.test(text)) {
    code = 'connector.template_not_found';
    message = 'Mailgun does not know the configured template name for this domain.';
  } else if (res.status === 404 && /domain/i.test(text)) {
    message = `Mailgun does not know the domain ${domain} (check the domain and the region).`;
  } else if (res.status === 400 && /^'?to'? parameter/i.test(text)) {
    code = 'connector.rejected_recipient';
    message = 'Mailgun rejected the recipient address.';
  } else if (res.status === 413) {
    message = 'Mailgun refused the message as too large.';
  }
  return providerFailure({
    provider: 'Mailgun',
    code,
    message,
    response: res,
    providerMessage: text || undefined,
    secrets,
  });
}
