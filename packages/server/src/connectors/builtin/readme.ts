export const readme = `# Built-in email service

The built-in service works with nothing to set up, so that sign-up and sign-in work on the
first start.

- **Without a relay** (the default) every message is captured into the **Mailbox**
  (console → Mailbox, or \`GET /api/mailbox\`) instead of being delivered. Use it to try
  Postern and in development.
- **With a relay**: set \`POSTERN_BUILTIN_RELAY=smtp://user:pass@smtp.example.com:587\`
  (or \`smtps://…:465\`) and restart; messages are then delivered through that server.

The sender address, domain and content are fixed: the messages use Postern's own designs in
the recipient's language. You can set the branding fields below:

| field | what it does |
| --- | --- |
| \`senderName\` | the name shown as the sender |
| \`companyInformation\` | a line of company details in the footer |
| \`logoUrl\` | an https URL of your logo, shown at the top |

For your own sender address, domain and templates, switch to SMTP, an HTTP endpoint or one
of the provider connectors ("Change email connector").
`;
