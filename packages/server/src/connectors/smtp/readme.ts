/** Markdown shown beside the SMTP connector's form in the console. */
export const readme = `# SMTP

Sends through any SMTP server: your own mail server, Microsoft 365, Google Workspace,
or a provider's SMTP relay (Amazon SES, Mailgun, Postmark, SendGrid, …). Postern keeps a
small pool of connections open and reuses them for every message.

## Before you start

Ask your mail provider for its SMTP host, port and credentials, and make sure the
address you send from (**fromEmail**) is allowed to send through that account. For good
deliverability publish SPF, DKIM and DMARC records for its domain (see Deliverability).

## Fields

- **host**, **port**: the server's address. Port **587** with STARTTLS is the usual choice;
  port **465** uses implicit TLS (set **secure**).
- **secure**: on for implicit TLS from the first byte (port 465). Off for port 587/25,
  where the connection is upgraded with STARTTLS when the server offers it.
- **requireTLS**: on to refuse sending unless the server upgrades with STARTTLS. Leave it
  on for port 587 so that a password is never sent in clear text.
- **auth**: none, or
  - \`{"type": "login", "user", "pass"}\`: the SMTP user name and password (for relays, the
    SMTP credentials the provider generates, often different from your console login);
  - \`{"type": "oauth2", "user", "clientId", "clientSecret", "refreshToken", "accessUrl"}\`:
    XOAUTH2, for Google Workspace or Microsoft 365. Create an OAuth client at the provider,
    grant it the mail-sending scope, obtain a refresh token for **user**, and set
    **accessUrl** to the provider's token endpoint (Google:
    \`https://oauth2.googleapis.com/token\`; Microsoft:
    \`https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token\`).
- **fromEmail**, **fromName**, **replyTo**: the sender shown to recipients. A template's
  sender name and reply-to override them for its messages.
- **tls.ca**: the PEM certificate of a private CA (or of the server itself) to trust, for
  servers with an internal certificate. Prefer this over turning verification off.
- **tls.servername**: the name to check the certificate against, when **host** is an IP
  address.
- **tls.rejectUnauthorized**: leave unset. Setting it to \`false\` accepts any certificate,
  which lets anyone on the network path read your mail and password.
- **dkim.keyId**: a DKIM key created under Deliverability; every message is signed with it.
- **connectionTimeoutMs**, **greetingTimeoutMs**, **socketTimeoutMs**: how long to wait for
  the TCP connection, for the server's greeting, and for any later answer.
- **pool.maxConnections** (default 5), **pool.maxMessages** (default 100): how many
  connections are kept open, and how many messages each sends before it is renewed.

Private and loopback addresses are refused unless the operator allows them with
\`POSTERN_OUTBOUND_ALLOW\`.
`;
