import { isNoticeTemplateType, type NoticeTemplateType, type TemplateType } from '@postern/connector-kit';
import type { CodeMessageStrings, InvitationStrings, LocaleStrings, NoticeStrings } from './strings.js';
import type { TemplateContent } from './types.js';

// The one layout every shipped template uses. Styles are written inline (mail clients drop
// or ignore <style> unevenly); the <style> block only adds what cannot be inline: the
// narrow-screen and dark-mode adjustments.

const COMPANY = '{{#if branding.companyName}}{{branding.companyName}}{{else if branding.senderName}}{{branding.senderName}}{{else}}{{application.name}}{{/if}}';
const APP = `{{#if application.name}}{{application.name}}{{else}}${COMPANY}{{/if}}`;
const INVITER = '{{#if inviter.name}}{{inviter.name}}{{else}}{{inviter.email}}{{/if}}';
const ACCENT = '{{#if branding.primaryColor}}{{branding.primaryColor}}{{else}}#2563eb{{/if}}';
const MONO = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', 'Courier New', monospace";

const TOKENS: Record<string, string> = {
  app: APP,
  company: COMPANY,
  user: '{{user.name}}',
  minutes: '{{expiresInMinutes}}',
  duration: '{{expiresIn}}',
  org: '{{organization.name}}',
  inviter: INVITER,
  support: '{{branding.supportEmail}}',
};

const HTML_TOKENS: Record<string, string> = {
  ...TOKENS,
  support: `<a href="mailto:{{branding.supportEmail}}" style="color:${ACCENT};text-decoration:underline;">{{branding.supportEmail}}</a>`,
};

function expand(text: string, tokens: Record<string, string>): string {
  return text.replace(/\{([a-z]+)\}/g, (whole, name: string) => tokens[name] ?? whole);
}

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** A translated string as template source for the HTML part. */
const h = (s: string): string => expand(escapeHtml(s), HTML_TOKENS);
/** A translated string as template source for the subject and text parts. */
const t = (s: string): string => expand(s, TOKENS);

function head(l: LocaleStrings, title: string): string {
  return `<!DOCTYPE html>
<html lang="${l.locale}" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="x-apple-disable-message-reformatting">
<meta name="color-scheme" content="light dark">
<meta name="supported-color-schemes" content="light dark">
<title>${title}</title>
<style>
@media only screen and (max-width: 620px) {
  .container { width: 100% !important; }
  .px { padding-left: 24px !important; padding-right: 24px !important; }
  .code { font-size: 28px !important; letter-spacing: 5px !important; }
}
@media (prefers-color-scheme: dark) {
  .bg { background: #101418 !important; }
  .card { background: #1a1f25 !important; }
  .fg { color: #e8eaed !important; }
  .muted { color: #a0a7b0 !important; }
  .codebox { background: #232a32 !important; border-color: #3a434d !important; }
  .code { color: #ffffff !important; }
  .rule { border-color: #2e353d !important; }
  .logo-light { display: none !important; }
  .logo-dark { display: block !important; max-height: none !important; overflow: visible !important; }
}
</style>
</head>`;
}

function logo(l: LocaleStrings): string {
  const img = (src: string, cls: string, extra = ''): string =>
    `<img class="${cls}" src="{{${src}}}" alt="${h('{company}')}" height="40" style="display:block;height:40px;width:auto;max-width:220px;border:0;outline:none;text-decoration:none;${extra}">`;
  return `{{#if branding.logoUrl}}
${img('branding.logoUrl', 'logo-light')}
{{#if branding.darkLogoUrl}}<div class="logo-dark" style="display:none;max-height:0;overflow:hidden;mso-hide:all;">${img('branding.darkLogoUrl', '')}</div>{{/if}}
{{else if application.logoUrl}}
${img('application.logoUrl', '')}
{{else}}
<span class="fg" style="font-family:${l.fontFamily};font-size:20px;line-height:28px;font-weight:700;color:#111827;">${h('{company}')}</span>
{{/if}}`;
}

interface ParagraphStyle {
  /** Secondary text: smaller and grey. */
  note?: boolean;
  margin?: string;
  extra?: string;
}

function paragraph(l: LocaleStrings, html: string, { note = false, margin = '0 0 16px', extra = '' }: ParagraphStyle = {}): string {
  const size = note ? 14 : 16;
  const lh = note ? l.lineHeight - 4 : l.lineHeight;
  return `<p class="${note ? 'muted' : 'fg'}" style="margin:${margin};font-family:${l.fontFamily};font-size:${size}px;line-height:${lh}px;color:${note ? '#5b6470' : '#1f2933'};${extra}">${html}</p>`;
}

function codeBlock(l: LocaleStrings): string {
  return `<table role="presentation" cellspacing="0" cellpadding="0" border="0" align="center" style="margin:8px auto 24px;border-collapse:separate;">
<tr><td class="codebox" align="center" style="background:#f3f4f6;border:1px solid #e3e6ea;border-radius:10px;padding:18px 32px;">
<div class="muted" style="margin:0 0 6px;font-family:${l.fontFamily};font-size:12px;line-height:16px;letter-spacing:1px;text-transform:uppercase;color:#5b6470;">${h(l.codeLabel)}</div>
<div class="code" style="font-family:${MONO};font-size:34px;line-height:42px;font-weight:700;letter-spacing:8px;color:#111827;-webkit-user-select:all;user-select:all;">{{code}}</div>
</td></tr>
</table>`;
}

function button(l: LocaleStrings, s: Pick<InvitationStrings, 'button' | 'linkHint'>): string {
  return `<table role="presentation" cellspacing="0" cellpadding="0" border="0" style="margin:8px 0 24px;border-collapse:separate;">
<tr><td align="center" bgcolor="${ACCENT}" style="border-radius:8px;background:${ACCENT};">
<a href="{{link}}" target="_blank" rel="noopener" style="display:inline-block;padding:14px 28px;font-family:${l.fontFamily};font-size:16px;line-height:20px;font-weight:600;color:#ffffff;text-decoration:none;border-radius:8px;">${h(s.button)}</a>
</td></tr>
</table>
${paragraph(l, `${h(s.linkHint)}<br><a href="{{link}}" target="_blank" rel="noopener" style="color:${ACCENT};word-break:break-all;">{{link}}</a>`, { note: true })}`;
}

function page(l: LocaleStrings, title: string, preheader: string, heading: string, body: string, ignore: string): string {
  return `${head(l, title)}
<body class="bg" style="margin:0;padding:0;width:100%;background:#f4f5f7;-webkit-text-size-adjust:100%;">
<div style="display:none;max-height:0;max-width:0;overflow:hidden;opacity:0;mso-hide:all;">${preheader}&#8199;&#847;&nbsp;&#8199;&#847;&nbsp;&#8199;&#847;&nbsp;&#8199;&#847;&nbsp;&#8199;&#847;&nbsp;</div>
<table role="presentation" class="bg" width="100%" cellspacing="0" cellpadding="0" border="0" style="background:#f4f5f7;">
<tr><td align="center" style="padding:32px 12px;">
<table role="presentation" class="container" width="560" cellspacing="0" cellpadding="0" border="0" style="width:560px;max-width:560px;">
<tr><td class="px" align="left" style="padding:0 40px 20px;">
${logo(l)}
</td></tr>
<tr><td class="card" style="background:#ffffff;border-radius:12px;">
<table role="presentation" width="100%" cellspacing="0" cellpadding="0" border="0" style="border-collapse:separate;border-radius:12px;overflow:hidden;">
<tr><td height="4" style="height:4px;line-height:4px;font-size:0;background:${ACCENT};">&nbsp;</td></tr>
<tr><td class="px" align="left" style="padding:32px 40px 28px;">
<h1 class="fg" style="margin:0 0 20px;font-family:${l.fontFamily};font-size:24px;line-height:${l.lineHeight + 6}px;font-weight:700;color:#111827;">${heading}</h1>
${paragraph(l, `{{#if user.name}}${h(l.greeting)}{{else}}${h(l.greetingAnon)}{{/if}}`)}
${body}
<hr class="rule" style="border:0;border-top:1px solid #e6e8eb;margin:24px 0 20px;">
${paragraph(l, ignore, { note: true, margin: '0' })}
</td></tr>
</table>
</td></tr>
<tr><td class="px" align="left" style="padding:20px 40px 0;">
${paragraph(l, h(l.sentBy), { note: true, margin: '0 0 8px' })}
{{#if branding.companyInformation}}${paragraph(l, '{{branding.companyInformation}}', { note: true, margin: '0 0 8px', extra: 'white-space:pre-line;' })}{{/if}}
{{#if branding.supportEmail}}${paragraph(l, h(l.help), { note: true, margin: '0 0 8px' })}{{/if}}
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`;
}

function textFooter(l: LocaleStrings): string {
  return `--
${t(l.sentBy)}
{{#if branding.companyInformation}}
{{branding.companyInformation}}
{{/if}}
{{#if branding.supportEmail}}
${t(l.help)}
{{/if}}
`;
}

const GREETING_TEXT = (l: LocaleStrings): string => `{{#if user.name}}${t(l.greeting)}{{else}}${t(l.greetingAnon)}{{/if}}`;

function codeMessage(l: LocaleStrings, s: CodeMessageStrings, linkButton?: string): TemplateContent {
  // SignIn and Register carry a magic link when the send has one (SPEC §4, §19): the button
  // first, the code below as the fallback. Without a link they read exactly as before.
  const m = l.magicLink;
  const linkHint = l.types.OrganizationInvitation.linkHint;
  const withLink = (yes: string, no: string) => (linkButton ? `{{#if link}}${yes}{{else}}${no}{{/if}}` : no);
  const body = `${withLink(`${paragraph(l, h(m.intro))}
${button(l, { button: linkButton ?? '', linkHint })}
${paragraph(l, h(m.orCode))}`, paragraph(l, h(s.intro)))}
${codeBlock(l)}
{{#if expiresIn}}${paragraph(l, h(l.expiry))}{{/if}}
${paragraph(l, h(l.noShare), { note: true })}`;
  return {
    subject: t(s.subject),
    html: page(l, h(s.subject), h(s.intro), h(s.heading), body, h(s.ignore)),
    text: `${GREETING_TEXT(l)}

${withLink(`${t(m.intro)}

${t(linkButton ?? '')}:
{{link}}

${t(m.orCode)}`, t(s.intro))}

{{code}}

{{#if expiresIn}}${t(l.expiry)}

{{/if}}${t(l.noShare)}

${t(s.ignore)}

${textFooter(l)}`,
  };
}

function invitation(l: LocaleStrings, s: InvitationStrings): TemplateContent {
  const intro = (html: boolean): string => {
    const f = html ? h : t;
    return `{{#if inviter.name}}${f(s.intro)}{{else if inviter.email}}${f(s.intro)}{{else}}${f(s.introNoInviter)}{{/if}}`;
  };
  const subjectSource = (f: (x: string) => string): string =>
    `{{#if inviter.name}}${f(s.subject)}{{else if inviter.email}}${f(s.subject)}{{else}}${f(s.subjectNoInviter)}{{/if}}`;
  const body = `${paragraph(l, intro(true))}
${button(l, s)}
${paragraph(l, h(s.expiry))}`;
  return {
    subject: subjectSource(t),
    html: page(l, subjectSource(h), intro(true), h(s.heading), body, h(s.ignore)),
    text: `${GREETING_TEXT(l)}

${intro(false)}

${t(s.button)}:
{{link}}

${t(s.expiry)}

${t(s.ignore)}

${textFooter(l)}`,
  };
}

/** The `activity.*` details a notice lists, each only when the message has it. */
const DETAILS = [
  ['time', '{{activity.time}}'],
  ['ip', '{{activity.ip}}'],
  ['device', '{{#if activity.device}}{{activity.device}}{{else}}{{activity.userAgent}}{{/if}}'],
  ['newEmail', '{{activity.newEmail}}'],
] as const;
const detailGuard = (key: (typeof DETAILS)[number][0]): string => (key === 'device' ? '{{#if activity.device}}' : `{{#if activity.${key}}}`);
const detailGuardEnd = (key: (typeof DETAILS)[number][0]): string => (key === 'device' ? '{{else if activity.userAgent}}' : '');

function detailsTable(l: LocaleStrings): string {
  const row = (label: string, value: string) =>
    `<tr><td class="muted" valign="top" style="padding:4px 16px 4px 0;font-family:${l.fontFamily};font-size:14px;line-height:${l.lineHeight - 4}px;color:#5b6470;white-space:nowrap;">${h(label)}</td><td class="fg" valign="top" style="padding:4px 0;font-family:${l.fontFamily};font-size:14px;line-height:${l.lineHeight - 4}px;color:#1f2933;word-break:break-word;">${value}</td></tr>`;
  const rows = DETAILS.map(([key, value]) => {
    const r = row(l.activity[key], value);
    return key === 'device' ? `${detailGuard(key)}${r}${detailGuardEnd(key)}${r}{{/if}}` : `${detailGuard(key)}${r}{{/if}}`;
  }).join('\n');
  return `<table role="presentation" class="codebox" width="100%" cellspacing="0" cellpadding="0" border="0" style="margin:8px 0 24px;border-collapse:separate;background:#f3f4f6;border:1px solid #e3e6ea;border-radius:10px;">
<tr><td style="padding:12px 20px;">
<table role="presentation" cellspacing="0" cellpadding="0" border="0">
${rows}
</table>
</td></tr>
</table>`;
}

function detailsText(l: LocaleStrings): string {
  return DETAILS.map(([key, value]) => {
    const line = `${t(l.activity[key])}: ${value}\n`;
    return key === 'device' ? `${detailGuard(key)}${line}${detailGuardEnd(key)}${line}{{/if}}` : `${detailGuard(key)}${line}{{/if}}`;
  }).join('');
}

/** A notice (SPEC §19): what happened, the details, what to do if it was not the reader. No code. */
function notice(l: LocaleStrings, type: NoticeTemplateType): TemplateContent {
  const s: NoticeStrings = l.notices[type];
  const intro = (f: (x: string) => string): string =>
    type === 'MfaChanged' ? `{{#if activity.mfaEnabled}}${f(s.intro)}{{else}}${f(l.notices.MfaChanged.introOff)}{{/if}}` : f(s.intro);
  const body = `${paragraph(l, intro(h))}
${detailsTable(l)}`;
  return {
    subject: t(s.subject),
    html: page(l, h(s.subject), intro(h), h(s.heading), body, h(s.action)),
    text: `${GREETING_TEXT(l)}

${intro(t)}

${detailsText(l)}

${t(s.action)}

${textFooter(l)}`,
  };
}

/** The shipped template of one type in one language. */
export function buildTemplate(l: LocaleStrings, type: TemplateType): TemplateContent {
  if (isNoticeTemplateType(type)) return notice(l, type);
  if (type === 'OrganizationInvitation') return invitation(l, l.types.OrganizationInvitation);
  if (type === 'SignIn') return codeMessage(l, l.types.SignIn, l.magicLink.signInButton);
  if (type === 'Register') return codeMessage(l, l.types.Register, l.magicLink.registerButton);
  if (type === 'ForgotPassword') return resetMessage(l, l.types.ForgotPassword);
  return codeMessage(l, l.types[type]);
}

/**
 * ForgotPassword: the code, and when the send has a `link` (a reset an admin started, which
 * the recipient did not ask for on a page), a button to the page that takes the code and the
 * new password. The link opens the page only; the code is still typed there.
 */
function resetMessage(l: LocaleStrings, s: CodeMessageStrings): TemplateContent {
  const linkHint = l.types.OrganizationInvitation.linkHint;
  const plain = codeMessage(l, s);
  const body = `${paragraph(l, h(s.intro))}
${codeBlock(l)}
${paragraph(l, h(l.expiry))}
{{#if link}}${button(l, { button: l.magicLink.resetButton, linkHint })}{{/if}}
${paragraph(l, h(l.noShare), { note: true })}`;
  return {
    subject: plain.subject,
    html: page(l, h(s.subject), h(s.intro), h(s.heading), body, h(s.ignore)),
    text: `${GREETING_TEXT(l)}

${t(s.intro)}

{{code}}

${t(l.expiry)}
{{#if link}}
${t(l.magicLink.resetButton)}:
{{link}}
{{/if}}
${t(l.noShare)}

${t(s.ignore)}

${textFooter(l)}`,
  };
}
