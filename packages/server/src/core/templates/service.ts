import { TEMPLATE_TYPES, type TemplateType } from '@postern/connector-kit';
import { defaultTemplate, isTemplateError, lintTemplate, renderBuiltin, resolveLocale, sampleVariables, SHIPPED_LOCALES, type TemplateContent, type TemplateRenderer, type TemplateVariables, type TemplateWarning } from './index.js';
import { systemClock, type Clock, type StoredTemplate, type TemplateStore } from '../ports.js';
import { AppError } from '../errors.js';
import type { BrandingService } from '../branding.js';
import type { SignInExperienceService } from '../sign-in-experience.js';
import type { MessageRenderer, RenderRequest, RenderedMessage } from '../delivery/render.js';

export interface EffectiveTemplate {
  locale: string;
  templateType: TemplateType;
  content: TemplateContent;
  isDefault: boolean;
  updatedAt: string | null;
}

const toContent = (t: StoredTemplate): TemplateContent =>
  Object.freeze({
    subject: t.subject,
    html: t.html,
    ...(t.text != null ? { text: t.text } : {}),
    ...(t.replyTo ? { replyTo: t.replyTo } : {}),
    ...(t.senderName ? { senderName: t.senderName } : {}),
  });

/**
 * Tenant templates over the shipped defaults. A tenant's templates are read once and kept
 * for a few seconds (frozen, so the renderer's cache finds them by identity); a change on
 * this instance clears them at once, one on another instance within the TTL.
 */
export class TemplateService implements MessageRenderer {
  private readonly cache = new Map<string, { at: number; byKey: Map<string, StoredTemplate & { content: TemplateContent }> }>();

  constructor(
    private readonly store: TemplateStore,
    private readonly renderer: TemplateRenderer,
    private readonly branding: BrandingService,
    private readonly signInExperience: SignInExperienceService,
    /** Who the message says it is from when the tenant set no branding. */
    private readonly fallbackName = 'Postern',
    private readonly ttlMs = 5_000,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Saves the tenant's own template for a locale and type; refuses one that does not compile. */
  async save(tenantId: string, locale: string, templateType: TemplateType, content: TemplateContent): Promise<EffectiveTemplate> {
    checked(() => this.renderer.validate(content));
    const updatedAt = this.clock.now().toISOString();
    await this.store.put({ tenantId, locale, templateType, subject: content.subject, html: content.html, text: content.text ?? null, replyTo: content.replyTo ?? null, senderName: content.senderName ?? null, updatedAt });
    this.invalidate(tenantId);
    return { locale, templateType, content, isDefault: false, updatedAt };
  }

  /** Deletes the tenant's own template, so the shipped default applies again. */
  async revert(tenantId: string, locale: string, templateType: TemplateType): Promise<void> {
    const done = await this.store.delete(tenantId, locale, templateType);
    this.invalidate(tenantId);
    if (!done) throw new AppError('template.not_found', 'This tenant has no template of its own for that locale and type.');
  }

  /**
   * Renders the effective template, with `overrides` in place of its parts, using sample data
   * and the tenant's branding, and lints the result.
   */
  async preview(
    tenantId: string,
    locale: string,
    templateType: TemplateType,
    overrides: { subject?: string | undefined; html?: string | undefined; text?: string | undefined; variables?: Record<string, unknown> | undefined },
  ): Promise<{ subject: string; html: string; text: string; warnings: TemplateWarning[] }> {
    const eff = await this.effective(tenantId, locale, templateType);
    const content: TemplateContent = {
      ...eff.content,
      ...(overrides.subject !== undefined ? { subject: overrides.subject } : {}),
      ...(overrides.html !== undefined ? { html: overrides.html } : {}),
      ...(overrides.text !== undefined ? { text: overrides.text } : {}),
    };
    if (overrides.text === '') delete content.text;
    const branding = await this.branding.get(tenantId);
    const sample = sampleVariables(templateType, locale);
    const rendered = checked(() => {
      this.renderer.validate(content);
      return this.renderer.render(content, { ...sample, branding: { ...sample.branding, ...branding }, ...(overrides.variables as object) });
    });
    return { ...rendered, warnings: lintTemplate(templateType, content, rendered) };
  }

  private async tenantTemplates(tenantId: string) {
    const hit = this.cache.get(tenantId);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.byKey;
    const byKey = new Map<string, StoredTemplate & { content: TemplateContent }>();
    for (const t of await this.store.listForTenant(tenantId)) byKey.set(`${t.locale.toLowerCase()}/${t.templateType}`, { ...t, content: toContent(t) });
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(tenantId, { at: Date.now(), byKey });
    return byKey;
  }

  invalidate(tenantId: string): void {
    this.cache.delete(tenantId);
  }

  async localesOf(tenantId: string): Promise<string[]> {
    const custom = [...(await this.tenantTemplates(tenantId)).values()].map((t) => t.locale);
    return [...new Set([...SHIPPED_LOCALES, ...custom])];
  }

  /** The template a send would use for this exact locale: the tenant's, else the shipped one, else English. */
  async effective(tenantId: string, locale: string, type: TemplateType): Promise<EffectiveTemplate> {
    const custom = (await this.tenantTemplates(tenantId)).get(`${locale.toLowerCase()}/${type}`);
    if (custom) return { locale: custom.locale, templateType: type, content: custom.content, isDefault: false, updatedAt: custom.updatedAt };
    const shipped = defaultTemplate(locale, type);
    if (shipped) return { locale, templateType: type, content: shipped, isDefault: true, updatedAt: null };
    return { locale, templateType: type, content: defaultTemplate('en', type)!, isDefault: true, updatedAt: null };
  }

  async list(tenantId: string, filter: { locale?: string | undefined; templateType?: TemplateType | undefined }): Promise<EffectiveTemplate[]> {
    const locales = filter.locale ? [filter.locale] : await this.localesOf(tenantId);
    const types = filter.templateType ? [filter.templateType] : TEMPLATE_TYPES;
    const out: EffectiveTemplate[] = [];
    for (const l of locales) for (const t of types) out.push(await this.effective(tenantId, l, t));
    return out;
  }

  async resolveLocaleFor(tenantId: string, requested: string | undefined, acceptLanguage: string | undefined): Promise<string> {
    const sie = await this.signInExperience.get(tenantId);
    return resolveLocale({
      requested,
      // SPEC §5: the request's locale field, else Accept-Language (when auto-detect is on).
      acceptLanguage: requested || !sie.languages.autoDetect ? undefined : acceptLanguage,
      tenantDefault: sie.languages.default,
      available: await this.localesOf(tenantId),
    });
  }

  async brandingVariables(tenantId: string): Promise<TemplateVariables['branding']> {
    return this.branding.get(tenantId);
  }

  async render(req: RenderRequest): Promise<RenderedMessage> {
    const locale = await this.resolveLocaleFor(req.tenantId, req.locale, req.acceptLanguage);
    const variables = req.variables as TemplateVariables;
    if (!req.customTemplates) {
      const cb = (req.connectorBranding ?? {}) as NonNullable<TemplateVariables['branding']>;
      const r = renderBuiltin(req.templateType, locale, { ...variables, application: { name: cb.senderName || this.fallbackName, ...variables.application }, branding: cb });
      return { locale, ...r, variables: { ...req.variables, locale } };
    }
    const [eff, branding] = await Promise.all([this.effective(req.tenantId, locale, req.templateType), this.brandingVariables(req.tenantId)]);
    const vars: TemplateVariables = { ...variables, locale, branding: { ...branding, ...variables.branding }, application: { name: branding?.companyName || branding?.senderName || this.fallbackName, logoUrl: branding?.logoUrl, ...variables.application } };
    const r = this.renderer.render(eff.content, vars);
    return {
      locale,
      ...r,
      replyTo: eff.content.replyTo,
      senderName: eff.content.senderName ?? branding?.senderName,
      variables: { ...req.variables, locale },
    };
  }
}

/** Turns a renderer error into `422 template.invalid` with its position. */
function checked<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (isTemplateError(err)) throw new AppError('template.invalid', err.message, { ...err.details });
    throw err;
  }
}
