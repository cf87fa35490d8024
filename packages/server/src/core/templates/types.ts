/** A tenant's template for one locale and type, or a shipped default (SPEC §5). */
export interface TemplateContent {
  subject: string;
  html: string;
  /** When absent, the text part is derived from the rendered HTML. */
  text?: string;
  /** Overrides the connector's reply-to address for this message. */
  replyTo?: string;
  /** Overrides the connector's sender name for this message. */
  senderName?: string;
}

/** A finished message body, ready for a connector. */
export interface RenderedTemplate {
  subject: string;
  html: string;
  text: string;
}

export interface BrandingVariables {
  senderName?: string;
  companyName?: string;
  companyInformation?: string;
  logoUrl?: string;
  darkLogoUrl?: string;
  primaryColor?: string;
  supportEmail?: string;
}

/** Everything a template may refer to (SPEC §5). Anything else renders as empty. */
export interface TemplateVariables {
  code?: string;
  link?: string;
  expiresInMinutes?: number;
  /** Derived from expiresInMinutes in the message's language, e.g. "24 hours" (not settable). */
  expiresIn?: string;
  locale?: string;
  application?: { id?: string; name?: string; logoUrl?: string };
  organization?: { id?: string; name?: string };
  user?: { id?: string; name?: string; email?: string };
  inviter?: { name?: string; email?: string };
  branding?: BrandingVariables;
  /** What an account-security notice reports (SPEC §19). */
  activity?: ActivityVariables;
}

/** The details of an account-security notice; all optional. */
export interface ActivityVariables {
  /** When it happened (ISO 8601); `time` is derived from it in the message's language. */
  at?: string;
  /** Derived from `at`, e.g. "5 Dec 2026, 08:51:37 UTC" (not settable). */
  time?: string;
  ip?: string;
  userAgent?: string;
  /** A short description of the browser and system, e.g. "Firefox on macOS". */
  device?: string;
  /** The new address of an email change, masked (`j•••@e•••.com`): the old address never sees it in full. */
  newEmail?: string;
  /** Set (to any non-empty value) when an MFA factor was turned on, absent when turned off. */
  mfaEnabled?: string;
}

/** A lint finding shown beside a preview; it never blocks saving. */
export interface TemplateWarning {
  /** Stable: `missing_code`, `missing_link`, `unknown_variable`, `too_large`, `insecure_url`. */
  code: string;
  message: string;
  field?: TemplateField;
}

export type TemplateField = 'subject' | 'html' | 'text';

/** The variables templates may use, as dot paths; the groups themselves are usable in `{{#if}}`/`{{#with}}`. */
export const KNOWN_VARIABLES: Readonly<Record<string, readonly string[] | null>> = {
  code: null,
  link: null,
  expiresInMinutes: null,
  expiresIn: null,
  locale: null,
  application: ['id', 'name', 'logoUrl'],
  organization: ['id', 'name'],
  user: ['id', 'name', 'email'],
  inviter: ['name', 'email'],
  branding: ['senderName', 'companyName', 'companyInformation', 'logoUrl', 'darkLogoUrl', 'primaryColor', 'supportEmail'],
  activity: ['at', 'time', 'ip', 'userAgent', 'device', 'newEmail', 'mfaEnabled'],
};

export function isKnownVariable(parts: readonly string[]): boolean {
  const [head, leaf, ...rest] = parts;
  if (head === undefined || !Object.hasOwn(KNOWN_VARIABLES, head) || rest.length > 0) return false;
  const group = KNOWN_VARIABLES[head];
  if (leaf === undefined) return true;
  return group != null && group.includes(leaf);
}
