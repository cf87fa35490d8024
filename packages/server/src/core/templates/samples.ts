import type { TemplateType } from '@postern/connector-kit';
import { en } from './locales/en.js';
import { localeStrings, SHIPPED_LOCALES } from './defaults.js';
import { matchLocale } from './locale.js';
import type { TemplateVariables } from './types.js';

/**
 * Plausible variables for previewing a template of this type in this language: a code,
 * an https link, names in the language. No branding images, so that a preview shows the
 * tenant's own branding once the caller merges it in.
 */
export function sampleVariables(type: TemplateType, locale: string): TemplateVariables {
  const resolved = matchLocale(locale, SHIPPED_LOCALES) ?? 'en';
  const s = (localeStrings(resolved) ?? en).sample;
  const invitation = type === 'OrganizationInvitation';
  return {
    code: '482913',
    link: invitation ? 'https://auth.example.com/invitation/inv_7Hq2Xc9LmP4e' : 'https://auth.example.com/sign-in',
    expiresInMinutes: invitation ? 1440 : 10,
    locale,
    application: { id: 'app_sample', name: s.applicationName },
    organization: { id: 'org_sample', name: s.organizationName },
    user: { id: 'user_sample', name: s.userName, email: 'alex.morgan@example.com' },
    inviter: { name: s.inviterName, email: 'jordan.lee@example.com' },
    branding: { companyName: s.companyName, companyInformation: s.companyInformation, supportEmail: 'support@example.com' },
    activity: {
      at: '2026-03-14T09:26:53.000Z',
      ip: '203.0.113.24',
      userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:125.0) Gecko/20100101 Firefox/125.0',
      device: 'Firefox on macOS',
      ...(type === 'EmailChanged' ? { newEmail: 'a•••@e•••.com' } : {}),
      ...(type === 'MfaChanged' ? { mfaEnabled: 'true' } : {}),
    },
  };
}
