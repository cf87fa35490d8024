import { ConnectorError, findConnectorError, scrubSecrets, type ConnectorErrorCode } from '@postern/connector-kit';

/** The fields nodemailer puts on its errors (lib/smtp-connection `_formatError`). */
interface NodemailerError extends Error {
  code?: string;
  response?: string;
  responseCode?: number;
  command?: string;
}

/** OpenSSL's words when one side speaks TLS and the other plain SMTP (secure set on a STARTTLS port). */
const TLS_MODE_MISMATCH = /wrong version number|packet length too long|unknown protocol|record layer failure|http request|ssl3_get_record|tls_validate_record_header/i;
const CERTIFICATE_PROBLEM = /certificate|self[- ]signed|altnames|unable to (get|verify)|CERT_/i;
const RATE_LIMIT_WORDS = /rate|too many|throttl|limit exceeded|try again later/i;

/**
 * Maps a nodemailer failure onto a connector error, keeping it as `cause`, with the reply
 * code in `details.providerStatus` and the server's words (scrubbed) in `providerMessage`.
 * Used by the SMTP connector and the built-in service's relay alike; `server` names the
 * server in the messages. Only a 5xx answer to RCPT TO is a rejected recipient.
 */
export function mapSmtpError(
  err: unknown,
  secrets: ReadonlyArray<string | undefined>,
  server = 'The SMTP server',
): ConnectorError {
  const passthrough = findConnectorError(err);
  if (passthrough) return passthrough;

  const e = (err instanceof Error ? err : new Error(String(err))) as NodemailerError;
  const status = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const said = scrubSecrets(e.response ?? e.message, secrets).slice(0, 500);
  const details = { ...(status ? { providerStatus: status } : {}), providerMessage: said };
  const make = (code: ConnectorErrorCode, message: string, retryable?: boolean) =>
    new ConnectorError(code, message.replace(/^The SMTP server/, server), { details, cause: err, ...(retryable === undefined ? {} : { retryable }) });
  const command = (e.command ?? '').toUpperCase();
  // What to change, for a connector's own settings (not for the built-in service's relay URL).
  const own = server === 'The SMTP server';

  if (TLS_MODE_MISMATCH.test(e.message) && !status) {
    // The OpenSSL dump says nothing to a person: name the mismatch, keep only its gist.
    details.providerMessage = 'TLS handshake failed: the server did not answer in TLS.';
    return make(
      'connector.unavailable',
      own
        ? 'The SMTP server does not speak TLS from the first byte on this port: turn "Implicit TLS (secure)" off for port 587 or 25 (STARTTLS), or use port 465 with it on.'
        : 'The SMTP relay does not speak TLS from the first byte on this port: use smtp:// for port 587 or 25, smtps:// for port 465.',
    );
  }
  if (CERTIFICATE_PROBLEM.test(e.message) && !status) {
    details.providerMessage = said.split('\n')[0]!.slice(0, 200);
    return make(
      'connector.unavailable',
      `The server's TLS certificate was not accepted${own ? ': add its CA under TLS (certificate authority), set the TLS server name when the host is an IP address, or fix the certificate.' : '.'}`,
    );
  }
  if (e.code === 'EAUTH') {
    if (status && status >= 400 && status < 500) return make('connector.unavailable', 'The server could not authenticate right now.');
    return make('connector.auth_failed', `The SMTP server rejected the credentials${own ? ': check the user name and password (many providers want an app password or generated SMTP credentials, not your account password).' : '.'}`);
  }
  if (e.code === 'ETIMEDOUT' || (!status && /time(d)? ?out/i.test(e.message))) {
    if (own && /greeting/i.test(e.message)) {
      return make('connector.timeout', 'The SMTP server sent no greeting: on port 465 turn "Implicit TLS (secure)" on; otherwise check the host and port.');
    }
    return make('connector.timeout', 'The SMTP server did not answer in time.');
  }
  // 552 on RCPT TO is a full mailbox (the recipient's problem), after DATA a message too large.
  if (status === 552 && !command.startsWith('RCPT')) return make('connector.delivery_failed', 'The SMTP server refused the message as too large.');
  if (status && status >= 400 && status < 500) {
    if (status === 421) return make('connector.unavailable', 'The SMTP server is not accepting connections right now.');
    if (RATE_LIMIT_WORDS.test(said)) return make('connector.rate_limited', 'The SMTP server is rate limiting this account.');
    return make('connector.delivery_failed', 'The SMTP server deferred the message.', true);
  }
  if (e.code === 'EENVELOPE') {
    if ((command.startsWith('RCPT') || /recipient/i.test(e.message)) && (!status || status >= 500)) {
      return make('connector.rejected_recipient', 'The SMTP server refused the recipient.');
    }
    return make('connector.delivery_failed', `The SMTP server refused the sender address${own ? ': use a From email that your provider has verified for this account.' : '.'}`);
  }
  if (e.code === 'ETLS') {
    return make(
      'connector.unavailable',
      own
        ? 'The SMTP server did not upgrade the connection with STARTTLS, and "Require STARTTLS" is on: use the port where your provider offers STARTTLS (usually 587), or port 465 with "Implicit TLS (secure)" on.'
        : 'The SMTP relay did not upgrade the connection with STARTTLS.',
    );
  }
  if (e.code && ['ECONNECTION', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'EAI_AGAIN'].includes(e.code)) {
    return make('connector.unavailable', `The SMTP server could not be reached${own ? ': check the host and the port.' : '.'}`);
  }
  if (/Unexpected socket close|Connection closed|connection was closed/i.test(e.message)) {
    return make('connector.unavailable', 'The SMTP server closed the connection.');
  }
  return make('connector.delivery_failed', 'The SMTP server did not accept the message.');
}
