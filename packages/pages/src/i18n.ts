/**
 * Every string of the hosted pages, one file per language under locales/ (the languages the
 * default email templates ship in). `{name}` placeholders are filled by `format`; a key with
 * `_one` (… `_other`) variants is picked by `Intl.PluralRules` for the number `n`.
 * The language comes from `?lang=`, else OpenID's `ui_locales`, else the picker's last choice
 * in this tab, else the browser's languages, else the tenant's default language.
 */
import { useSyncExternalStore } from 'react';
import { de } from './locales/de.js';
import { en, type StringKey } from './locales/en.js';
import { es } from './locales/es.js';
import { fr } from './locales/fr.js';
import { ja } from './locales/ja.js';
import { ptBR } from './locales/pt-BR.js';
import { th } from './locales/th.js';
import { zhCN } from './locales/zh-CN.js';

export type { StringKey };

/** The same list, in the same order, as the server's shipped email templates. */
export const LANGS = ['en', 'th', 'zh-CN', 'ja', 'es', 'fr', 'de', 'pt-BR'] as const;
export type Lang = (typeof LANGS)[number];
/** Each language by its own name, as a picker shows it. */
export const LANG_NAMES: Record<Lang, string> = {
  en: 'English',
  th: 'ไทย',
  'zh-CN': '简体中文',
  ja: '日本語',
  es: 'Español',
  fr: 'Français',
  de: 'Deutsch',
  'pt-BR': 'Português (Brasil)',
};

export const STRINGS: Record<Lang, Record<StringKey, string>> = { en, th, 'zh-CN': zhCN, ja, es, fr, de, 'pt-BR': ptBR };

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

/**
 * The language the pages speak for a BCP 47 tag: the same tag (`pt-BR`, any case), else the
 * same base language (`th-TH` → `th`, `pt` → `pt-BR`, `zh-Hans-SG` → `zh-CN`), else null.
 * Traditional Chinese (`zh-TW`, `zh-HK`, `zh-Hant`) is not taken for simplified.
 */
export function matchLang(tag: string): Lang | null {
  const t = tag.trim().toLowerCase().replace(/_/g, '-');
  if (!/^[a-z]{2,3}(?:-[a-z0-9]{1,8})*$/.test(t)) return null;
  const exact = LANGS.find((l) => l.toLowerCase() === t);
  if (exact) return exact;
  const [base, ...rest] = t.split('-');
  if (base === 'zh' && rest.some((p) => p === 'hant' || p === 'tw' || p === 'hk' || p === 'mo')) return null;
  return LANGS.find((l) => l.toLowerCase().split('-')[0] === base) ?? null;
}

/** The first of `languages` that the pages speak, else null. */
export function firstMatch(languages: readonly string[]): Lang | null {
  for (const l of languages) {
    const hit = matchLang(l);
    if (hit) return hit;
  }
  return null;
}

/** The first of the browser's languages that the pages speak (`th-TH` → `th`), else English. */
export function detectLang(
  languages: readonly string[] = typeof navigator === 'undefined' ? [] : navigator.languages,
): Lang {
  return firstMatch(languages) ?? 'en';
}

/**
 * The language for a page's query and what else is known, in this order: `?lang=` (a link
 * that names the language, and the picker's choice), `ui_locales` (an OpenID authorization
 * request, SPEC §17, space-separated by preference), the picker's last choice in this tab,
 * the browser's languages; null when none of them names a language the pages ship.
 */
export function explicitLang(search: string, stored: string | null, browser: readonly string[]): Lang | null {
  return visitorLang(search, stored) ?? firstMatch(browser);
}

/** What the visitor named: `?lang=`, `ui_locales`, the picker's last choice (not the browser's languages). */
function visitorLang(search: string, stored: string | null): Lang | null {
  const q = new URLSearchParams(search);
  const fromQuery = (name: string) => firstMatch((q.get(name) ?? '').slice(0, 200).split(/[\s,]+/).filter(Boolean));
  return fromQuery('lang') ?? fromQuery('ui_locales') ?? (stored ? matchLang(stored) : null);
}

/**
 * `explicitLang`, else the tenant's default language (sign-in experience `languages.default`)
 * when the pages ship it, else English. With the tenant's `languages.autoDetect` off, the
 * browser's languages are not asked: the tenant's default comes right after what the visitor named.
 */
export function chooseLang(search: string, stored: string | null, browser: readonly string[], tenantDefault?: string | null, autoDetect = true): Lang {
  const named = autoDetect ? explicitLang(search, stored, browser) : visitorLang(search, stored);
  return named ?? (tenantDefault ? matchLang(tenantDefault) : null) ?? 'en';
}

const LANG_KEY = 'postern.hosted.lang';
const listeners = new Set<() => void>();
function storedLang(): string | null {
  try {
    return window.sessionStorage.getItem(LANG_KEY);
  } catch {
    return null;
  }
}
function initialLang(): { lang: Lang | null; byVisitor: boolean } {
  try {
    const named = visitorLang(window.location.search, storedLang());
    return { lang: named ?? firstMatch(navigator.languages), byVisitor: named !== null };
  } catch {
    // no window (unit tests)
    return { lang: null, byVisitor: false };
  }
}
const initial = initialLang();
const explicit = initial.lang;
let current: Lang = explicit ?? 'en';
/** Set once the picker chose a language on this page. */
let chosen = false;

function notify(): void {
  for (const f of listeners) f();
}

/**
 * The tenant's default language, once the page has read it (branding.ts): taken only when
 * nothing the visitor sent picked a language, and never stored, so the picker still wins.
 */
export function applyTenantDefaultLang(tag: string | null | undefined, autoDetect = true): void {
  // The visitor's own choice always wins; the browser's languages only while the tenant lets them.
  if (!tag || chosen || initial.byVisitor || (explicit && autoDetect)) return;
  const l = matchLang(tag);
  if (!l || l === current) return;
  current = l;
  try {
    document.documentElement.lang = l;
  } catch {
    // no document
  }
  notify();
}

export function setLang(l: Lang): void {
  current = l;
  chosen = true;
  try {
    window.sessionStorage.setItem(LANG_KEY, l);
  } catch {
    // storage refused: the choice lasts until the page reloads
  }
  // The choice also goes into the address, so that a reload or a shared link keeps it.
  try {
    const url = new URL(window.location.href);
    url.searchParams.set('lang', l);
    window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
  } catch {
    // no history: the choice lasts for this tab
  }
  document.documentElement.lang = l;
  notify();
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
