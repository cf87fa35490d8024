/**
 * SPF includes that authorize each provider's sending servers, by connector factory id.
 * Any one of a provider's includes is enough; the first is the one advice suggests.
 * Mailgun's `mailgun.org` record covers its EU servers too; `eu.mailgun.org` is accepted as well.
 */
export const PROVIDER_SPF_INCLUDES: Record<string, string[]> = {
  sendgrid: ['sendgrid.net'],
  mailgun: ['mailgun.org', 'eu.mailgun.org'],
  'aws-ses': ['amazonses.com'],
  postmark: ['spf.mtasv.net'],
  'aliyun-dm': ['spf1.dm.aliyun.com'],
  resend: ['amazonses.com'],
};

/**
 * Providers whose envelope sender (Return-Path) is a fixed subdomain of the sending domain,
 * so SPF is published there rather than at the domain itself.
 */
export const PROVIDER_SPF_SUBDOMAIN: Record<string, string> = {
  resend: 'send',
};

/** Where each provider documents or defaults its DKIM selector, for the "no selector given" hint. */
export const PROVIDER_DKIM_SELECTOR_HINT: Record<string, string> = {
  sendgrid: 'SendGrid signs with the selectors s1 and s2',
  resend: 'Resend signs with the selector "resend"',
  mailgun: "Mailgun shows its selector (such as pdk1) in the domain's DNS settings",
  postmark: "Postmark shows its selector (a date followed by pm) in the sender signature's DNS settings",
  'aws-ses': 'Amazon SES Easy DKIM shows its three selectors (CNAME records) in the identity settings',
  'aliyun-dm': 'Aliyun DirectMail shows its selector in the domain settings of the DirectMail console',
};

const FACTORY_NAMES: Record<string, string> = {
  builtin: 'the built-in email service',
  smtp: 'your SMTP server',
  http: 'your HTTP endpoint',
  sendgrid: 'SendGrid',
  mailgun: 'Mailgun',
  'aws-ses': 'Amazon SES',
  postmark: 'Postmark',
  'aliyun-dm': 'Aliyun DirectMail',
  resend: 'Resend',
};

export function providerName(providerId: string): string {
  return FACTORY_NAMES[providerId] ?? `the "${providerId}" connector`;
}
