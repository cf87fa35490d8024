import type { NoticeTemplateType, TemplateType } from '@postern/connector-kit';

/**
 * The words of one shipped language. Plain text (never HTML) with these placeholders,
 * which the layout turns into template variables:
 * `{app}` application name, `{company}` sender company, `{user}` recipient's name,
 * `{minutes}` expiry in minutes (a bare number: prefer `{duration}`), `{duration}` the expiry
 * in words of the language, plural included ("1 minute", "24 hours"), `{org}` organization, `{inviter}` who invited,
 * `{support}` support address.
 */
export interface LocaleStrings {
  /** BCP 47 tag, also the HTML `lang`. */
  locale: string;
  /** CSS font stack of common system fonts that cover the script, best first. */
  fontFamily: string;
  /** Body line height in px for 16px text; scripts with stacked marks (Thai) need more. */
  lineHeight: number;
  greeting: string;
  greetingAnon: string;
  codeLabel: string;
  expiry: string;
  noShare: string;
  sentBy: string;
  help: string;
  types: { [T in Exclude<TemplateType, 'OrganizationInvitation' | NoticeTemplateType>]: CodeMessageStrings } & {
    OrganizationInvitation: InvitationStrings;
  };
  /** A magic link beside the code (SignIn and Register, SPEC §19). */
  magicLink: MagicLinkStrings;
  /** The account-security notices (SPEC §19): no code, what happened and what to do. */
  notices: { [T in Exclude<NoticeTemplateType, 'MfaChanged'>]: NoticeStrings } & { MfaChanged: NoticeStrings & { introOff: string } };
  /** Labels of the details a notice lists (`activity.*`). */
  activity: { time: string; ip: string; device: string; newEmail: string };
  /** Plausible names for previews. */
  sample: { userName: string; inviterName: string; organizationName: string; applicationName: string; companyName: string; companyInformation: string };
}

/** A message that carries a one-time code. */
export interface CodeMessageStrings {
  subject: string;
  heading: string;
  /** The sentence just above the code. */
  intro: string;
  /** What to do if the recipient did not ask for this. */
  ignore: string;
}

/** The words around a magic link, shown only when the message has a `link`. */
export interface MagicLinkStrings {
  /** The sentence above the button. */
  intro: string;
  signInButton: string;
  registerButton: string;
  /** The button of a ForgotPassword message an admin sent: to the page that takes the code. */
  resetButton: string;
  /** Above the code, when the link is there too. */
  orCode: string;
}

/** A notice without a code. `{app}`, `{company}` and `{support}` work as everywhere. */
export interface NoticeStrings {
  subject: string;
  heading: string;
  /** What happened. */
  intro: string;
  /** What to do if the recipient did not do this. */
  action: string;
}

export interface InvitationStrings {
  subject: string;
  subjectNoInviter: string;
  heading: string;
  intro: string;
  introNoInviter: string;
  button: string;
  /** Above the raw link, for clients that do not show the button. */
  linkHint: string;
  expiry: string;
  ignore: string;
}

export const LATIN_FONTS = "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans', sans-serif";
