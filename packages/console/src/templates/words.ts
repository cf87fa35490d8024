/** Plain-words names for template types, lint codes and the variables templates can use (SPEC §4, §5). */
import type { TemplateType } from '../api.js';

export const TYPE_LABELS: Record<TemplateType, string> = {
  SignIn: 'Sign-in code',
  Register: 'Sign-up code',
  ForgotPassword: 'Password reset',
  Generic: 'Generic code',
  OrganizationInvitation: 'Organization invitation',
  UserPermissionValidation: 'Identity check',
  BindNewIdentifier: 'Link a new email',
  MfaVerification: 'MFA code',
  BindMfa: 'Enrol email MFA',
  PasswordChanged: 'Notice: password changed',
  EmailChanged: 'Notice: email address changed',
  MfaChanged: 'Notice: two-step verification changed',
  NewSignIn: 'Notice: sign-in from a new device',
  UnknownRecipient: 'Notice: no account for this address',
};

export const WARNING_LABELS: Record<string, string> = {
  missing_code: 'The code is missing',
  missing_link: 'The link is missing',
  unknown_variable: 'Unknown variable',
  too_large: 'Message too large',
  insecure_url: 'Link or image not on https',
};

export const VARIABLES: { name: string; what: string }[] = [
  { name: 'code', what: 'the one-time code' },
  { name: 'link', what: 'the invitation or action link' },
  { name: 'expiresInMinutes', what: 'minutes until the code expires' },
  { name: 'expiresIn', what: 'the same in words of the message’s language (“10 minutes”, “24 hours”)' },
  { name: 'locale', what: 'the language of the message' },
  { name: 'user.name', what: 'the recipient’s name (also user.email, user.id)' },
  { name: 'application.name', what: 'the application (also application.logoUrl)' },
  { name: 'organization.name', what: 'for invitations' },
  { name: 'inviter.name', what: 'who invited them (also inviter.email)' },
  { name: 'branding.companyName', what: 'from Branding (also senderName, companyInformation, logoUrl, primaryColor, supportEmail…)' },
];

export const FIELD_LABELS: Record<string, string> = { subject: 'Subject', html: 'HTML', text: 'Text part' };
