/** Markdown shown beside the HTTP connector's form in the console. */
export const readme = `# HTTP (your own endpoint)

Postern POSTs every message as JSON to an endpoint you run, and your code delivers it
however you like: through an email provider Postern has no connector for, through a
queue, or from a fixed egress IP address that your provider allows.

## What your endpoint receives

\`POST\` with \`content-type: application/json\`:

\`\`\`json
{
  "id": "2f1c…",
  "to": "alice@example.com",
  "type": "SignIn",
  "locale": "en",
  "subject": "Your sign-in code",
  "html": "<p>…</p>",
  "text": "…",
  "payload": { "code": "123456", "link": null, "expiresAt": "2025-01-01T00:10:00Z" },
  "tenantId": "default",
  "ip": "203.0.113.7"
}
\`\`\`

\`id\` stays the same when Postern retries a delivery, so use it to drop duplicates.
\`payload\` holds the template variables, for endpoints that render their own email.

Answer any **2xx** status when you have taken the message. A JSON body with \`id\` or
\`messageId\` is recorded as the provider message id. Other answers are errors:
401/403 are treated as bad credentials, 429 as rate limiting (send \`Retry-After\`),
5xx as a temporary outage (retried), and other 4xx as a permanent failure (not retried).

## Fields

- **endpoint**: the \`https://\` URL of your receiver. Private and loopback addresses are
  refused unless the operator allows them with \`POSTERN_OUTBOUND_ALLOW\`.
- **authorization** (optional): sent as the \`Authorization\` header, for example
  \`Bearer <token your endpoint checks>\`.
- **signingSecret** (optional, recommended): a Standard Webhooks secret,
  \`whsec_\` followed by base64 of 24–64 random bytes. The console can generate one; keep a
  copy for your endpoint. Each request then carries \`webhook-id\`, \`webhook-timestamp\`
  and \`webhook-signature\` (\`v1,\` + base64 HMAC-SHA256 of \`id.timestamp.body\`), which
  any Standard Webhooks library verifies, for example
  \`new Webhook(secret).verify(rawBody, headers)\` from the \`standardwebhooks\` package.
  Verify the raw body bytes, before parsing them.
- **timeoutMs**: how long one attempt may take (100–60000 ms, default 10000).

## Delivery events from your endpoint

Your code can report what happened to each message: POST to the **events URL** Postern shows
beside this connector (\`https://<your Postern>/api/provider-events/http\`, tenant-prefixed
for other tenants) a JSON body

\`\`\`json
{"messageId": "…", "event": "bounced", "recipient": "user@example.com", "bounceType": "hard", "reason": "550 5.1.1 user unknown"}
\`\`\`

with \`event\` one of \`delivered\`, \`delayed\`, \`bounced\` (\`bounceType\` \`hard\`, the
default, or \`soft\`) and \`complained\`, and \`messageId\` the \`id\` your endpoint answered
the send with (or, if it answered none, the \`id\` of the request). Sign it with the same
\`signingSecret\`, as Standard Webhooks: \`new Webhook(secret).sign(id, new Date(), body)\`
gives the \`webhook-signature\` header to send with \`webhook-id\` and \`webhook-timestamp\`.
Unsigned requests, wrong signatures, timestamps older than 5 minutes and a \`webhook-id\` seen
before are refused. A hard bounce or a complaint puts the address on the tenant's
suppression list.
`;
