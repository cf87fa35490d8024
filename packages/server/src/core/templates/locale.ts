import Negotiator from 'negotiator';

/** A BCP 47 language tag as Postern accepts one (`en`, `pt-BR`, `zh-Hans-CN`): the one pattern. */
export const LANGUAGE_TAG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

export interface LocaleRequest {
  /** The request's `locale` field. */
  requested?: string | undefined;
  /** The request's Accept-Language header. */
  acceptLanguage?: string | undefined;
  tenantDefault?: string | undefined;
  /** The locales a template exists in, spelled as they should be returned. */
  available: readonly string[];
}

const TAG = /^[a-z]{2,3}(?:-[a-z0-9]{1,8})*$/i;

/**
 * The locale to send in (SPEC §5): the request's locale, else its Accept-Language
 * preferences in order, each matched exactly, then by base language (`pt-BR` → `pt`), then
 * by a regional sibling (`pt` → `pt-BR`, `zh` → `zh-CN`); then the tenant's default
 * language the same way; then `en`. Matching is case-insensitive and the result is spelled
 * as in `available`.
 */
export function resolveLocale(req: LocaleRequest): string {
  return findLocale(req) ?? 'en';
}

/**
 * The same chain as `resolveLocale`, ending with `en`, but undefined when no step of it is
 * available: how a tenant's own templates are looked up before any shipped default.
 */
export function findLocale(req: LocaleRequest): string | undefined {
  const candidates: string[] = [];
  if (req.requested) candidates.push(req.requested);
  if (req.acceptLanguage) {
    const header = req.acceptLanguage.slice(0, 1000);
    candidates.push(...new Negotiator({ headers: { 'accept-language': header } }).languages());
  }
  if (req.tenantDefault) candidates.push(req.tenantDefault);
  for (const candidate of candidates) {
    const found = matchLocale(candidate, req.available);
    if (found) return found;
  }
  return matchLocale('en', req.available);
}

/** One tag against the available locales: exact, then base language, then a sibling. */
export function matchLocale(tag: string, available: readonly string[]): string | undefined {
  const wanted = tag.trim().replace(/_/g, '-').toLowerCase();
  if (!TAG.test(wanted)) return undefined;
  const lower = available.map((a) => a.toLowerCase());
  const exact = lower.indexOf(wanted);
  if (exact >= 0) return available[exact];
  const base = wanted.split('-')[0]!;
  const baseAt = lower.indexOf(base);
  if (baseAt >= 0) return available[baseAt];
  const siblingAt = lower.findIndex((a) => a.split('-')[0] === base);
  return siblingAt >= 0 ? available[siblingAt] : undefined;
}
