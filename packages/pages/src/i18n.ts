/**
 * Every string of the hosted pages, in English and Thai. `{name}` placeholders are filled
 * by `format`. The language comes from the switch, else from `navigator.languages`.
 */
import { useSyncExternalStore } from 'react';

export const LANGS = ['en', 'th'] as const;
export type Lang = (typeof LANGS)[number];
export const LANG_NAMES: Record<Lang, string> = { en: 'English', th: 'ไทย' };

const en = {
  language: 'Language',
  email: 'Email address',
  password: 'Password',
  newPassword: 'New password',
  name: 'Name (optional)',
  code: 'Verification code',
  codeHelp: 'We sent a code to {email}. You can paste it as it is.',
  resend: 'Send a new code',
  resendIn: 'You can ask for a new code in {seconds} s',
  codeResent: 'A new code is on its way to {email}.',
  continue: 'Continue',
  working: 'Please wait…',
  back: 'Back',
  signInTitle: 'Sign in',
  signInLead: 'Sign in with your password, or with a code we email you.',
  signIn: 'Sign in',
  emailMeCode: 'Email me a code instead',
  usePassword: 'Use my password instead',
  sendCode: 'Send code',
  noAccount: 'No account yet?',
  createAccount: 'Create an account',
  forgotLink: 'Forgot your password?',
  haveAccount: 'Already have an account?',
  finishSignUpTitle: 'Finish signing up',
  finishSignUpLead: 'There is no account for {email} yet. Create one now?',
  finishSignUp: 'Create my account',
  registerTitle: 'Create an account',
  registerLead: 'First we check your email address with a code.',
  passwordHelp: 'At least {min} characters.',
  passwordOptionalHelp: 'Leave empty to sign in with email codes only, if this application allows it.',
  forgotTitle: 'Reset your password',
  forgotLead: 'Enter your email address. If it has an account, we send it a code.',
  forgotSent: 'If {email} has an account, a code is on its way.',
  setPassword: 'Set new password',
  passwordChanged: 'Your password was changed. Sign in with the new one.',
  mfaTitle: 'Verify it is you',
  mfaLead: 'Your account asks for a second step: a code sent to your email.',
  mfaSend: 'Email me the code',
  mfaMissing: 'This step starts from sign-in.',
  goToSignIn: 'Go to sign-in',
  accountTitle: 'Your account',
  accountEmail: 'Email',
  verified: 'verified',
  notVerified: 'not verified',
  accountName: 'Name',
  noName: '—',
  signOut: 'Sign out',
  signedOut: 'You are signed out.',
  changeEmail: 'Change email',
  changePassword: 'Change password',
  mfaSection: 'Two-step sign-in',
  mfaOn: 'On: each sign-in also asks for a code sent to your email.',
  mfaOff: 'Off.',
  mfaTurnOn: 'Turn on',
  mfaTurnOff: 'Turn off',
  mfaEnabled: 'Two-step sign-in is on.',
  mfaDisabled: 'Two-step sign-in is off.',
  confirmIdentity: 'First confirm it is you',
  currentPassword: 'Current password',
  confirmByPassword: 'Confirm',
  confirmByCode: 'Email me a code instead',
  confirmCurrentEmail: 'To change your email address, first confirm with a code sent to your current address, {email}.',
  sendCurrentCode: 'Email me a code',
  newEmail: 'New email address',
  emailChanged: 'Your email address is now {email}.',
  passwordUpdated: 'Your password was changed.',
  cancel: 'Cancel',
  save: 'Save',
  invitationTitle: 'Invitation',
  invitationLead: 'You are invited to join {org}.',
  invitationFor: 'Invited address',
  invitationStatus: 'Status',
  invitationExpires: 'Expires',
  status_pending: 'waiting for you',
  status_accepted: 'accepted',
  status_revoked: 'revoked',
  status_expired: 'expired',
  accept: 'Accept the invitation',
  accepted: 'Welcome to {org}! You are now a member.',
  invitationSignIn: 'Sign in or create an account as {email} to accept.',
  signedInAs: 'Signed in as {email}.',
  notYou: 'Use another account',
  loading: 'Loading…',
  skip: 'Skip to content',
  // errors
  'verification_code.mismatch': 'That code is not right. {attemptsLeft} tries left.',
  'verification_code.mismatch.none': 'That code is not right.',
  'verification_code.expired': 'That code has expired. Ask for a new one.',
  'verification_code.exhausted': 'Too many wrong codes. Ask for a new one.',
  'verification_code.not_found': 'That code is no longer valid. Ask for a new one.',
  'verification_code.locked': 'Too many failed attempts. Try again in {wait}.',
  'verification_code.rate_limited': 'Too many codes were asked for. Try again in {wait}.',
  'session.invalid_credentials': 'The email address or the password is wrong.',
  'session.locked': 'Too many wrong passwords. Try again in {wait}.',
  'session.invalid_token': 'Your session has ended. Sign in again.',
  'password.policy_violation': 'The password must be {min} to {max} characters long.',
  'password.policy_violation.none': 'This password is too weak. Choose a longer one.',
  'user.email_exists': 'An account with this email address exists already. Sign in instead.',
  'registration.disabled': 'Sign-up is turned off for this application.',
  'experience.method_disabled': 'This way of signing in is turned off for this application.',
  'request.invalid': 'Please check the highlighted fields.',
  'service.unavailable': 'The service is busy. Try again in a moment.',
  'account.unauthorized': 'Please sign in again.',
  'account.identity_verification_required': 'Confirm it is you first.',
  'invitation.not_pending': 'This invitation can no longer be used: it was accepted, revoked or has expired.',
  'invitation.email_mismatch':
    'This invitation is for {email}, but you are signed in as {current}. Sign in with the invited address.',
  'invitation.not_found': 'There is no such invitation. Check the link in your email.',
  'network.error': 'The server could not be reached. Check your connection.',
  'connector.any': 'We could not send the email. Try again later.',
  emailMeLink: 'Email me a sign-in link',
  sendLink: 'Send link',
  linkSentTitle: 'Check your email',
  linkSent: 'We sent a sign-in link to {email}. Open it on any device, or enter the code from the same email here.',
  magicLinkTitle: 'Finish signing in',
  magicLinkLead: 'Press the button to sign in. Opening the link alone does nothing, so links checked by mail scanners stay valid.',
  magicLinkUsed: 'This link was already used, or a newer one replaced it. Ask for a new link from the sign-in page.',
  magicLinkExpired: 'This link has expired. Ask for a new link from the sign-in page.',
  finishSignUpLeadNoEmail: 'There is no account for this email address yet. Create one now?',
  'magic_link.forbidden': 'This sign-in must be finished from the page the emailed link opens. Open the link again.',
  genericError: 'Something went wrong ({code}). Try again.',
  seconds: '{n} seconds',
  seconds_one: '{n} second',
  minutes: '{n} minutes',
  minutes_one: '{n} minute',
  fieldEmail: 'Enter a valid email address.',
  fieldCode: 'Enter the code from the email.',
  fieldRequired: 'This field is required.',
  passwordNotAccepted: 'This application signs you in with email codes only: leave the password empty.',
  captchaLabel: 'Security check',
  'captcha.required': 'Complete the security check below first.',
  'captcha.invalid': 'The security check failed. Complete it again.',
  'captcha.unavailable': 'The security check cannot be done right now. Try again in a moment.',
  preferLink: 'Rather sign in from a link?',
};

export type StringKey = keyof typeof en;

const th: Record<StringKey, string> = {
  language: 'ภาษา',
  email: 'อีเมล',
  password: 'รหัสผ่าน',
  newPassword: 'รหัสผ่านใหม่',
  name: 'ชื่อ (ไม่บังคับ)',
  code: 'รหัสยืนยัน',
  codeHelp: 'เราได้ส่งรหัสไปที่ {email} แล้ว สามารถวางรหัสได้ทันที',
  resend: 'ส่งรหัสใหม่',
  resendIn: 'ขอรหัสใหม่ได้ในอีก {seconds} วินาที',
  codeResent: 'กำลังส่งรหัสใหม่ไปที่ {email}',
  continue: 'ดำเนินการต่อ',
  working: 'กรุณารอสักครู่…',
  back: 'ย้อนกลับ',
  signInTitle: 'เข้าสู่ระบบ',
  signInLead: 'เข้าสู่ระบบด้วยรหัสผ่าน หรือด้วยรหัสที่เราส่งไปทางอีเมล',
  signIn: 'เข้าสู่ระบบ',
  emailMeCode: 'ส่งรหัสทางอีเมลแทน',
  usePassword: 'ใช้รหัสผ่านแทน',
  sendCode: 'ส่งรหัส',
  noAccount: 'ยังไม่มีบัญชีใช่ไหม',
  createAccount: 'สร้างบัญชี',
  forgotLink: 'ลืมรหัสผ่านใช่ไหม',
  haveAccount: 'มีบัญชีอยู่แล้วใช่ไหม',
  finishSignUpTitle: 'สมัครสมาชิกให้เสร็จสิ้น',
  finishSignUpLead: 'ยังไม่มีบัญชีสำหรับ {email} ต้องการสร้างบัญชีตอนนี้หรือไม่',
  finishSignUp: 'สร้างบัญชีของฉัน',
  registerTitle: 'สร้างบัญชี',
  registerLead: 'ขั้นแรก เราจะยืนยันอีเมลของคุณด้วยรหัส',
  passwordHelp: 'อย่างน้อย {min} ตัวอักษร',
  passwordOptionalHelp: 'เว้นว่างไว้ได้ หากต้องการเข้าสู่ระบบด้วยรหัสทางอีเมลเท่านั้น (หากแอปพลิเคชันนี้อนุญาต)',
  forgotTitle: 'ตั้งรหัสผ่านใหม่',
  forgotLead: 'กรอกอีเมลของคุณ หากมีบัญชีอยู่ เราจะส่งรหัสไปให้',
  forgotSent: 'หาก {email} มีบัญชีอยู่ รหัสกำลังส่งไปถึงคุณ',
  setPassword: 'ตั้งรหัสผ่านใหม่',
  passwordChanged: 'เปลี่ยนรหัสผ่านเรียบร้อยแล้ว กรุณาเข้าสู่ระบบด้วยรหัสผ่านใหม่',
  mfaTitle: 'ยืนยันว่าเป็นคุณ',
  mfaLead: 'บัญชีของคุณต้องยืนยันอีกขั้นหนึ่ง ด้วยรหัสที่ส่งไปทางอีเมล',
  mfaSend: 'ส่งรหัสทางอีเมล',
  mfaMissing: 'ขั้นตอนนี้ต้องเริ่มจากหน้าเข้าสู่ระบบ',
  goToSignIn: 'ไปที่หน้าเข้าสู่ระบบ',
  accountTitle: 'บัญชีของคุณ',
  accountEmail: 'อีเมล',
  verified: 'ยืนยันแล้ว',
  notVerified: 'ยังไม่ได้ยืนยัน',
  accountName: 'ชื่อ',
  noName: '—',
  signOut: 'ออกจากระบบ',
  signedOut: 'คุณออกจากระบบแล้ว',
  changeEmail: 'เปลี่ยนอีเมล',
  changePassword: 'เปลี่ยนรหัสผ่าน',
  mfaSection: 'การเข้าสู่ระบบสองขั้นตอน',
  mfaOn: 'เปิดอยู่: ทุกครั้งที่เข้าสู่ระบบ จะขอรหัสที่ส่งไปทางอีเมลด้วย',
  mfaOff: 'ปิดอยู่',
  mfaTurnOn: 'เปิดใช้งาน',
  mfaTurnOff: 'ปิดใช้งาน',
  mfaEnabled: 'เปิดการเข้าสู่ระบบสองขั้นตอนแล้ว',
  mfaDisabled: 'ปิดการเข้าสู่ระบบสองขั้นตอนแล้ว',
  confirmIdentity: 'กรุณายืนยันว่าเป็นคุณก่อน',
  currentPassword: 'รหัสผ่านปัจจุบัน',
  confirmByPassword: 'ยืนยัน',
  confirmByCode: 'ส่งรหัสทางอีเมลแทน',
  confirmCurrentEmail: 'ก่อนเปลี่ยนอีเมล กรุณายืนยันด้วยรหัสที่ส่งไปยังอีเมลปัจจุบันของคุณ {email}',
  sendCurrentCode: 'ส่งรหัสทางอีเมล',
  newEmail: 'อีเมลใหม่',
  emailChanged: 'อีเมลของคุณเปลี่ยนเป็น {email} แล้ว',
  passwordUpdated: 'เปลี่ยนรหัสผ่านเรียบร้อยแล้ว',
  cancel: 'ยกเลิก',
  save: 'บันทึก',
  invitationTitle: 'คำเชิญ',
  invitationLead: 'คุณได้รับเชิญให้เข้าร่วม {org}',
  invitationFor: 'อีเมลที่ได้รับเชิญ',
  invitationStatus: 'สถานะ',
  invitationExpires: 'หมดอายุ',
  status_pending: 'รอการตอบรับ',
  status_accepted: 'ตอบรับแล้ว',
  status_revoked: 'ถูกยกเลิก',
  status_expired: 'หมดอายุแล้ว',
  accept: 'ตอบรับคำเชิญ',
  accepted: 'ยินดีต้อนรับสู่ {org} ตอนนี้คุณเป็นสมาชิกแล้ว',
  invitationSignIn: 'กรุณาเข้าสู่ระบบหรือสร้างบัญชีด้วย {email} เพื่อตอบรับคำเชิญ',
  signedInAs: 'เข้าสู่ระบบในชื่อ {email}',
  notYou: 'ใช้บัญชีอื่น',
  loading: 'กำลังโหลด…',
  skip: 'ข้ามไปยังเนื้อหา',
  'verification_code.mismatch': 'รหัสไม่ถูกต้อง ลองได้อีก {attemptsLeft} ครั้ง',
  'verification_code.mismatch.none': 'รหัสไม่ถูกต้อง',
  'verification_code.expired': 'รหัสนี้หมดอายุแล้ว กรุณาขอรหัสใหม่',
  'verification_code.exhausted': 'กรอกรหัสผิดหลายครั้งเกินไป กรุณาขอรหัสใหม่',
  'verification_code.not_found': 'รหัสนี้ใช้ไม่ได้แล้ว กรุณาขอรหัสใหม่',
  'verification_code.locked': 'ลองผิดหลายครั้งเกินไป กรุณาลองใหม่ในอีก {wait}',
  'verification_code.rate_limited': 'ขอรหัสบ่อยเกินไป กรุณาลองใหม่ในอีก {wait}',
  'session.invalid_credentials': 'อีเมลหรือรหัสผ่านไม่ถูกต้อง',
  'session.locked': 'กรอกรหัสผ่านผิดหลายครั้งเกินไป กรุณาลองใหม่ในอีก {wait}',
  'session.invalid_token': 'เซสชันของคุณสิ้นสุดแล้ว กรุณาเข้าสู่ระบบอีกครั้ง',
  'password.policy_violation': 'รหัสผ่านต้องมีความยาว {min} ถึง {max} ตัวอักษร',
  'password.policy_violation.none': 'รหัสผ่านนี้ไม่ปลอดภัยพอ กรุณาตั้งรหัสผ่านที่ยาวขึ้น',
  'user.email_exists': 'มีบัญชีที่ใช้อีเมลนี้อยู่แล้ว กรุณาเข้าสู่ระบบแทน',
  'registration.disabled': 'แอปพลิเคชันนี้ปิดการสมัครสมาชิกไว้',
  'experience.method_disabled': 'แอปพลิเคชันนี้ปิดวิธีเข้าสู่ระบบนี้ไว้',
  'request.invalid': 'กรุณาตรวจสอบช่องที่ทำเครื่องหมายไว้',
  'service.unavailable': 'ระบบไม่ว่างในขณะนี้ กรุณาลองใหม่อีกครั้งในภายหลัง',
  'account.unauthorized': 'กรุณาเข้าสู่ระบบอีกครั้ง',
  'account.identity_verification_required': 'กรุณายืนยันว่าเป็นคุณก่อน',
  'invitation.not_pending': 'คำเชิญนี้ใช้ไม่ได้แล้ว เนื่องจากมีการตอบรับ ถูกยกเลิก หรือหมดอายุแล้ว',
  'invitation.email_mismatch': 'คำเชิญนี้สำหรับ {email} แต่คุณเข้าสู่ระบบในชื่อ {current} กรุณาเข้าสู่ระบบด้วยอีเมลที่ได้รับเชิญ',
  'invitation.not_found': 'ไม่พบคำเชิญนี้ กรุณาตรวจสอบลิงก์ในอีเมลของคุณ',
  'network.error': 'ติดต่อเซิร์ฟเวอร์ไม่ได้ กรุณาตรวจสอบการเชื่อมต่อ',
  'connector.any': 'ส่งอีเมลไม่สำเร็จ กรุณาลองใหม่ภายหลัง',
  emailMeLink: 'ส่งลิงก์เข้าสู่ระบบทางอีเมล',
  sendLink: 'ส่งลิงก์',
  linkSentTitle: 'ตรวจสอบอีเมลของคุณ',
  linkSent: 'เราส่งลิงก์เข้าสู่ระบบไปที่ {email} แล้ว เปิดลิงก์บนอุปกรณ์ใดก็ได้ หรือกรอกรหัสจากอีเมลฉบับเดียวกันที่นี่',
  magicLinkTitle: 'เข้าสู่ระบบให้เสร็จ',
  magicLinkLead: 'กดปุ่มเพื่อเข้าสู่ระบบ การเปิดลิงก์เพียงอย่างเดียวจะไม่ทำอะไร ลิงก์ที่ถูกระบบสแกนอีเมลเปิดจึงยังใช้ได้',
  magicLinkUsed: 'ลิงก์นี้ถูกใช้ไปแล้ว หรือมีลิงก์ใหม่กว่ามาแทนที่ โปรดขอลิงก์ใหม่จากหน้าเข้าสู่ระบบ',
  magicLinkExpired: 'ลิงก์นี้หมดอายุแล้ว โปรดขอลิงก์ใหม่จากหน้าเข้าสู่ระบบ',
  finishSignUpLeadNoEmail: 'ยังไม่มีบัญชีสำหรับอีเมลนี้ ต้องการสร้างบัญชีเลยไหม',
  'magic_link.forbidden': 'ต้องเข้าสู่ระบบให้เสร็จจากหน้าที่ลิงก์ในอีเมลเปิดขึ้น โปรดเปิดลิงก์อีกครั้ง',
  genericError: 'เกิดข้อผิดพลาด ({code}) กรุณาลองใหม่อีกครั้ง',
  seconds: '{n} วินาที',
  // Thai has one form for every number (Intl.PluralRules says "other"); kept for the key set.
  seconds_one: '{n} วินาที',
  minutes: '{n} นาที',
  minutes_one: '{n} นาที',
  fieldEmail: 'กรุณากรอกอีเมลให้ถูกต้อง',
  fieldCode: 'กรุณากรอกรหัสจากอีเมล',
  fieldRequired: 'กรุณากรอกช่องนี้',
  passwordNotAccepted: 'แอปพลิเคชันนี้ใช้การเข้าสู่ระบบด้วยรหัสทางอีเมลเท่านั้น กรุณาเว้นช่องรหัสผ่านว่างไว้',
  captchaLabel: 'การตรวจสอบความปลอดภัย',
  'captcha.required': 'กรุณาทำการตรวจสอบความปลอดภัยด้านล่างก่อน',
  'captcha.invalid': 'การตรวจสอบความปลอดภัยไม่ผ่าน กรุณาทำอีกครั้ง',
  'captcha.unavailable': 'ยังไม่สามารถตรวจสอบความปลอดภัยได้ในขณะนี้ กรุณาลองใหม่อีกสักครู่',
  preferLink: 'ต้องการเข้าสู่ระบบด้วยลิงก์แทนหรือไม่',
};

export const STRINGS: Record<Lang, Record<StringKey, string>> = { en, th };

export function format(template: string, vars: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

const pluralRules = new Map<Lang, Intl.PluralRules>();

/**
 * A string in `lang`: with a numeric `n`, the plural form that Intl.PluralRules picks for
 * it (`minutes_one` for 1 in English) when the dictionary has one, else the key itself.
 */
export function translate(lang: Lang, key: StringKey, vars: Record<string, string | number> = {}): string {
  const dict = STRINGS[lang] as Record<string, string>;
  let text = dict[key]!;
  if (typeof vars.n === 'number') {
    let rules = pluralRules.get(lang);
    if (!rules) pluralRules.set(lang, (rules = new Intl.PluralRules(lang)));
    text = dict[`${key}_${rules.select(vars.n)}`] ?? text;
  }
  return format(text, vars);
}

/** The first of the browser's languages that the pages speak (`th-TH` → `th`), else English. */
export function detectLang(
  languages: readonly string[] = typeof navigator === 'undefined' ? [] : navigator.languages,
): Lang {
  for (const l of languages) {
    const base = l.toLowerCase().split('-')[0];
    const hit = LANGS.find((x) => x === base);
    if (hit) return hit;
  }
  return 'en';
}

const LANG_KEY = 'postern.hosted.lang';
const listeners = new Set<() => void>();
function storedLang(): Lang | null {
  try {
    const v = window.sessionStorage.getItem(LANG_KEY);
    return LANGS.find((l) => l === v) ?? null;
  } catch {
    return null;
  }
}
/** `ui_locales` from an OpenID authorization request, handed over in the page's query (SPEC §17). */
function requestedLang(): Lang | null {
  try {
    const asked = new URLSearchParams(window.location.search).get('ui_locales');
    if (!asked) return null;
    for (const l of asked.split(/\s+/)) {
      const hit = LANGS.find((x) => x === l.toLowerCase().split('-')[0]);
      if (hit) return hit;
    }
  } catch {
    // no window (tests): fall through
  }
  return null;
}
let current: Lang = requestedLang() ?? storedLang() ?? detectLang();

export function setLang(l: Lang): void {
  current = l;
  try {
    window.sessionStorage.setItem(LANG_KEY, l);
  } catch {
    // storage refused: the choice lasts until the page reloads
  }
  document.documentElement.lang = l;
  for (const f of listeners) f();
}

/** The current language and its translator; re-renders when the switch changes it. */
export function useLang(): { lang: Lang; t: (key: StringKey, vars?: Record<string, string | number>) => string } {
  const lang = useSyncExternalStore(
    (f) => {
      listeners.add(f);
      return () => listeners.delete(f);
    },
    () => current,
  );
  return { lang, t: (key, vars) => translate(lang, key, vars) };
}
