import { TEMPLATE_TYPES, type TemplateType } from '@postern/connector-kit';
import { defaultTemplate, renderBuiltin, resolveLocale, SHIPPED_LOCALES, type TemplateContent, type TemplateRenderer, type TemplateVariables } from './index.js';
import type { StoredTemplate, TemplateStore } from '../ports.js';
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
  ) {}

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
