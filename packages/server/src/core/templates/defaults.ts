import { TEMPLATE_TYPES, type TemplateType } from '@postern/connector-kit';
import { buildTemplate } from './layout.js';
import { de } from './locales/de.js';
import { en } from './locales/en.js';
import { es } from './locales/es.js';
import { fr } from './locales/fr.js';
import { ja } from './locales/ja.js';
import { ptBR } from './locales/pt-BR.js';
import { th } from './locales/th.js';
import { zhCN } from './locales/zh-CN.js';
import type { LocaleStrings } from './strings.js';
import type { TemplateContent } from './types.js';

const STRINGS: readonly LocaleStrings[] = [en, th, zhCN, ja, es, fr, de, ptBR];

/** The languages every template type ships in. */
export const SHIPPED_LOCALES: readonly string[] = Object.freeze(STRINGS.map((s) => s.locale));

const byLocale = new Map(STRINGS.map((s) => [s.locale.toLowerCase(), s]));

// Built once at load and frozen: the renderer caches frozen contents by identity.
const DEFAULTS = new Map<string, ReadonlyMap<TemplateType, Readonly<TemplateContent>>>(
  STRINGS.map((s) => [s.locale.toLowerCase(), new Map(TEMPLATE_TYPES.map((type) => [type, Object.freeze(buildTemplate(s, type))]))]),
);

/**
 * The shipped template for exactly this locale (case-insensitive), or undefined; callers
 * pick the locale first with `resolveLocale(…, available: SHIPPED_LOCALES)`.
 */
export function defaultTemplate(locale: string, type: TemplateType): TemplateContent | undefined {
  return DEFAULTS.get(locale.toLowerCase())?.get(type);
}

/** The shipped words of a language, or undefined. */
export function localeStrings(locale: string): LocaleStrings | undefined {
  return byLocale.get(locale.toLowerCase());
}
