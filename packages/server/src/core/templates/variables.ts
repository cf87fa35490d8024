import type { TemplateVariables } from './types.js';
import { formatDuration } from './duration.js';
import { TEMPLATE_LIMITS } from './limits.js';

type Group = Record<string, string>;

const GROUPS = {
  application: ['id', 'name', 'logoUrl'],
  organization: ['id', 'name'],
  user: ['id', 'name', 'email'],
  inviter: ['name', 'email'],
  branding: ['senderName', 'companyName', 'companyInformation', 'logoUrl', 'darkLogoUrl', 'primaryColor', 'supportEmail'],
  activity: ['at', 'ip', 'userAgent', 'device', 'newEmail', 'mfaEnabled'],
} as const;

const URL_FIELDS = new Set(['logoUrl', 'darkLogoUrl']);
const HEX_COLOR = /^#(?:[0-9a-f]{3}|[0-9a-f]{4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;

/**
 * A variable's value as a string. Values are cut at `maxVariableChars`: the compile-time
 * bound on a message's size counts on it (limits.ts), and no name, code or URL needs more.
 */
function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value.length > TEMPLATE_LIMITS.maxVariableChars ? value.slice(0, TEMPLATE_LIMITS.maxVariableChars) : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** A URL the layout may put into `src`/`href`: only http(s), so no `javascript:` or `data:`. */
function webUrl(value: string): string | undefined {
  return /^https?:\/\//i.test(value.trim()) ? value.trim() : undefined;
}

/**
 * A fresh object with only the known variables, each a string (or the expiry a number).
 * Values of any other shape are dropped, so a template can neither walk into objects the
 * caller happened to pass nor receive something with a custom `toString`. Colours must be
 * hex and image URLs http(s), because they land in `style` and `src` attributes where HTML
 * escaping alone does not make them harmless.
 */
export function sanitizeVariables(input: TemplateVariables | Record<string, unknown> | undefined): Record<string, unknown> {
  const src = (input ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of ['code', 'locale'] as const) {
    const v = scalar(src[key]);
    if (v !== undefined) out[key] = v;
  }
  const link = scalar(src.link);
  if (link !== undefined) {
    const safe = webUrl(link);
    if (safe !== undefined) out.link = safe;
  }
  const expires = src.expiresInMinutes;
  if (typeof expires === 'number' && Number.isFinite(expires)) {
    out.expiresInMinutes = expires;
    // The same expiry in words of the message's language ("24 hours"), derived here so that
    // no caller can pass anything else under that name.
    out.expiresIn = formatDuration(expires, typeof out.locale === 'string' ? out.locale : 'en');
  }
  for (const [group, fields] of Object.entries(GROUPS)) {
    const value = src[group];
    if (!value || typeof value !== 'object' || Array.isArray(value)) continue;
    const g: Group = {};
    for (const field of fields) {
      let v = scalar((value as Record<string, unknown>)[field]);
      if (v === undefined || v === '') continue;
      if (URL_FIELDS.has(field)) v = webUrl(v);
      else if (field === 'primaryColor' && !HEX_COLOR.test(v)) v = undefined;
      if (v !== undefined) g[field] = v;
    }
    if (group === 'activity' && g.at !== undefined) {
      // The time in words of the message's language, derived here like `expiresIn`.
      const time = formatTime(g.at, typeof out.locale === 'string' ? out.locale : 'en');
      if (time === undefined) delete g.at;
      else g.time = time;
    }
    if (Object.keys(g).length > 0) out[group] = g;
  }
  return out;
}

/** An ISO 8601 instant as a date and time in UTC, in the words of `locale` (undefined when not a date). */
export function formatTime(iso: string, locale: string): string | undefined {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return undefined;
  const opts: Intl.DateTimeFormatOptions = { dateStyle: 'long', timeStyle: 'long', timeZone: 'UTC' };
  try {
    return new Intl.DateTimeFormat(locale, opts).format(ms);
  } catch {
    return new Intl.DateTimeFormat('en', opts).format(ms);
  }
}
