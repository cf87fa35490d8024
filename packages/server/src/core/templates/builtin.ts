import { TEMPLATE_TYPES, type TemplateType } from '@postern/connector-kit';
import { defaultTemplate, SHIPPED_LOCALES } from './defaults.js';
import { matchLocale } from './locale.js';
import { TemplateRenderer } from './renderer.js';
import type { RenderedTemplate, TemplateVariables } from './types.js';

/** The branding the built-in email service honours (SPEC §3.1); everything else is fixed. */
export const BUILTIN_BRANDING_FIELDS = ['senderName', 'companyInformation', 'logoUrl'] as const;

const renderer = new TemplateRenderer({ cacheSize: SHIPPED_LOCALES.length * TEMPLATE_TYPES.length });

/**
 * A message of the built-in email service: always the shipped design in the nearest
 * shipped language (never a tenant template), with only the built-in branding fields.
 */
export function renderBuiltin(type: TemplateType, locale: string, variables: TemplateVariables): RenderedTemplate {
  const resolved = matchLocale(locale, SHIPPED_LOCALES) ?? 'en';
  const content = defaultTemplate(resolved, type) ?? defaultTemplate('en', type);
  if (!content) throw new Error(`No shipped template for ${type}.`);
  const branding: Record<string, string> = {};
  for (const field of BUILTIN_BRANDING_FIELDS) {
    const value = variables.branding?.[field];
    if (typeof value === 'string' && value !== '') branding[field] = value;
  }
  return renderer.render(content, { ...variables, locale: resolved, branding });
}
