import type { NoticeTemplateType } from '@postern/connector-kit';
import { sha256Hex } from '../../lib/crypto.js';
import type { SendRequest } from '../delivery/sender.js';
import type { SignInExperience } from '../sign-in-experience.js';
import type { Caller, IdentityDeps } from './context.js';
import type { IdentityStores, User } from './ports.js';

/**
 * Account-security mail (SPEC §19): notices that tell an account what just happened to it.
 * They go through the outbox like every message, written in the same transaction as the
 * change they report when there is one, and are delivered after the answer: a notice that
 * cannot be delivered never undoes or fails the change.
 */

/** The device cookie the hosted pages set (a random value; only its SHA-256 is stored). */
export const DEVICE_COOKIE = 'postern_device';

/** The switch of each account notice in the sign-in experience. */
const SWITCH: Record<Exclude<NoticeTemplateType, 'UnknownRecipient'>, keyof SignInExperience['notifications']> = {
  PasswordChanged: 'passwordChanged',
  EmailChanged: 'emailChanged',
  MfaChanged: 'mfaChanged',
  NewSignIn: 'newSignIn',
};

/** `jane.doe@example.co.uk` → `j•••@e•••.uk`: enough to recognise an address one owns, not to learn it. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at <= 0) return '•••';
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  const tld = dot > 0 ? domain.slice(dot) : '';
  return `${[...local][0] ?? ''}•••@${[...domain][0] ?? ''}•••${tld}`;
}

const BROWSERS: Array<[RegExp, string]> = [
  [/\bEdg(?:e|A|iOS)?\//, 'Edge'],
  [/\bOPR\/|\bOpera\b/, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\bFirefox\/|\bFxiOS\//, 'Firefox'],
  // HeadlessChrome/… is Chrome run by automation (no word boundary before its "Chrome").
  [/(?:\b|Headless)Chrome\/|\bCriOS\//, 'Chrome'],
  [/\bSafari\//, 'Safari'],
];
const SYSTEMS: Array<[RegExp, string]> = [
  [/\biPhone|\biPad|\biPod/, 'iOS'],
  [/\bAndroid\b/, 'Android'],
  [/\bWindows\b/, 'Windows'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
];

/** "Firefox on macOS" from a User-Agent header, or undefined when neither is recognised. */
export function describeUserAgent(ua: string | undefined): string | undefined {
  if (!ua) return undefined;
  const browser = BROWSERS.find(([re]) => re.test(ua))?.[1];
  const system = SYSTEMS.find(([re]) => re.test(ua))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? system;
}

/** What the caller's request says about where a change came from (never more than 300 characters of the User-Agent). */
function activityOf(d: IdentityDeps, c: Caller): Record<string, string> {
  const out: Record<string, string> = { at: d.clock.now().toISOString() };
  if (c.ip) out.ip = c.ip;
  const ua = c.userAgent?.slice(0, 300);
  if (ua) out.userAgent = ua;
  const device = describeUserAgent(ua);
  if (device) out.device = device;
  return out;
}

export interface Notice {
  type: NoticeTemplateType;
  /** The stored address the notice goes to. */
  to: string;
  user?: User | undefined;
  /** Extra `activity.*` variables (`newEmail`, `mfaEnabled`). */
  activity?: Record<string, string>;
}

/** The notice as a message, when the tenant has it switched on (UnknownRecipient is switched by the caller). */
export async function noticeRequest(d: IdentityDeps, c: Caller, n: Notice): Promise<SendRequest | undefined> {
  if (n.type !== 'UnknownRecipient') {
    const x = await d.signInExperience.get(c.tenant.id);
    if (!x.notifications[SWITCH[n.type]]) return undefined;
  }
  const user = n.user;
  return {
    tenantId: c.tenant.id,
    to: n.to,
    templateType: n.type,
    locale: c.locale,
    acceptLanguage: c.acceptLanguage,
    variables: {
      ...(user ? { user: { id: user.id, name: user.name ?? '', email: n.to } } : {}),
      activity: { ...activityOf(d, c), ...n.activity },
    },
    ip: c.ip,
  };
}

/**
 * Runs `work` (the change) and writes the notice with it, in one transaction when the
 * outbox is there; then delivers the notice in the background. With no notice (switched
 * off, or no address to mail) only the change runs.
 */
export async function changeWithNotice(d: IdentityDeps, request: SendRequest | undefined, work: (stores: IdentityStores) => Promise<void>): Promise<void> {
  const mail = d.mail;
  if (!request) {
    await work(d.stores);
    return;
  }
  if (!mail) {
    await work(d.stores);
    void d.sender.send(request).catch(() => undefined);
    return;
  }
  const pending = mail.outbox.prepare({ request, source: 'account.notice', notAfter: mail.outbox.codelessNotAfter() });
  await mail.transaction(pending.row, work);
  mail.outbox.dispatch(pending);
}

/** A notice on its own (no change to write with it), delivered in the background; never throws. */
export async function sendNotice(d: IdentityDeps, c: Caller, n: Notice): Promise<void> {
  try {
    const request = await noticeRequest(d, c, n);
    if (!request) return;
    const mail = d.mail;
    if (!mail) {
      void d.sender.send(request).catch(() => undefined);
      return;
    }
    const pending = mail.outbox.prepare({ request, source: 'account.notice', notAfter: mail.outbox.codelessNotAfter() });
    await mail.outbox.insert(pending);
    mail.outbox.dispatch(pending);
  } catch {
    // A notice never fails what it reports; the outbox and the email log show its fate.
  }
}

/** One `UnknownRecipient` notice per address and tenant in this many seconds (SPEC §19). */
export const UNKNOWN_RECIPIENT_WINDOW_SECONDS = 24 * 3600;

/**
 * The `UnknownRecipient` notice (SPEC §19) for an address with no account: at most one per
 * address per day, counted in the shared rate-limit store so that every instance sees the
 * same count. Anyone can type someone else's address, so without this cap the notice would
 * be a way to mail a stranger over and over; the send's own limits (cooldown, per hour) are
 * counted before this, by the code the request issued. Never throws, and changes nothing
 * the caller sees.
 */
export async function noticeUnknownRecipient(d: IdentityDeps, c: Caller, address: { address: string; key: string }): Promise<void> {
  try {
    const gate = await d.limits.hit({
      name: 'unknown-recipient-day',
      key: `${c.tenant.id}|${address.key}`,
      points: 1,
      durationSeconds: UNKNOWN_RECIPIENT_WINDOW_SECONDS,
    });
    if (!gate.allowed) return;
  } catch {
    // The limit store is down: no notice rather than an unlimited one.
    return;
  }
  await sendNotice(d, c, { type: 'UnknownRecipient', to: address.address });
}

/**
 * A sign-in that ends with tokens (SPEC §19): with the device cookie of the hosted pages,
 * the device is recorded, and a device the account never used before is reported with a
 * `NewSignIn` notice when the tenant has it on. The first device an account ever records
 * is its baseline, not news. Calls without the cookie (plain API clients) count for nothing.
 */
export async function recordSignIn(d: IdentityDeps, c: Caller | undefined, user: User): Promise<void> {
  if (!c?.device || !user.email) return;
  try {
    const seen = await d.stores.devices.see(user.tenantId, user.id, sha256Hex(`${user.tenantId}:${c.device}`), d.clock.now().toISOString());
    if (seen === 'new') await sendNotice(d, c, { type: 'NewSignIn', to: user.email, user });
  } catch {
    // Recording a device never stands in the way of signing in.
  }
}
