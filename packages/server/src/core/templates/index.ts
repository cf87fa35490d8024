/**
 * Email templates (SPEC §4–5): the sandboxed Handlebars renderer, the lint behind the
 * preview's warnings, locale resolution, and the shipped default designs.
 */
export type { TemplateContent, RenderedTemplate, TemplateVariables, BrandingVariables, TemplateWarning, TemplateField } from './types.js';
export { KNOWN_VARIABLES, isKnownVariable } from './types.js';
export { TemplateError, isTemplateError, type TemplateErrorDetails } from './errors.js';
export { TemplateRenderer, type CompiledTemplate } from './renderer.js';
export { TEMPLATE_LIMITS } from './limits.js';
export { lintTemplate, MAX_MESSAGE_BYTES } from './lint.js';
export { resolveLocale, findLocale, matchLocale, LANGUAGE_TAG, type LocaleRequest } from './locale.js';
export { SHIPPED_LOCALES, defaultTemplate } from './defaults.js';
export { sampleVariables } from './samples.js';
export { renderBuiltin, BUILTIN_BRANDING_FIELDS } from './builtin.js';
