import type { EmailMessage } from './types.js';

export interface SenderDefaults {
  fromEmail: string;
  fromName?: string | undefined;
  replyTo?: string | undefined;
}

export interface ResolvedSender {
  email: string;
  name: string | undefined;
  replyTo: string | undefined;
  /** RFC 5322 form, `"Name" <email>` or `email`. */
  formatted: string;
}

/** The message's overrides first, then the connector's configured sender. */
export function resolveSender(message: EmailMessage, defaults: SenderDefaults): ResolvedSender {
  const email = message.from.email ?? defaults.fromEmail;
  const name = message.from.name ?? defaults.fromName;
  const replyTo = message.replyTo ?? defaults.replyTo;
  return { email, name: name || undefined, replyTo: replyTo || undefined, formatted: formatAddress(email, name) };
}

export function formatAddress(email: string, name?: string): string {
  if (!name) return email;
  const quoted = name.replace(/[\r\n]/g, ' ').replace(/(["\\])/g, '\\$1');
  return `"${quoted}" <${email}>`;
}
