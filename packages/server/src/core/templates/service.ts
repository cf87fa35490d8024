import { TEMPLATE_TYPES, type TemplateType } from '@postern/connector-kit';
import { defaultTemplate, findLocale, isTemplateError, lintTemplate, renderBuiltin, resolveLocale, sampleVariables, SHIPPED_LOCALES, type TemplateContent, type TemplateRenderer, type TemplateVariables, type TemplateWarning } from './index.js';
import { systemClock, type Clock, type StoredTemplate, type TemplateStore } from '../ports.js';
import { AppError } from '../errors.js';
import { cleanSubject } from './renderer.js';

const headerText = (value: string | undefined): string | undefined => (value === undefined ? undefined : cleanSubject(value) || undefined);
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

  /** The shipped languages in their fixed order, then the tenant's others alphabetically. */
  async localesOf(tenantId: string): Promise<string[]> {
    const shipped = new Set(SHIPPED_LOCALES.map((l) => l.toLowerCase()));
    const custom = [...(await this.tenantTemplates(tenantId)).values()].map((t) => t.locale).filter((l) => !shipped.has(l.toLowerCase()));
    return [...SHIPPED_LOCALES, ...[...new Set(custom)].sort(compareCustomLocales)];
  }

  /**
   * The template for exactly this locale, as the list and the editor show it: the tenant's,
   * else the shipped one, else English. A send first picks its locale along the fallback
   * chain with `resolveTemplateLocale`, where the tenant's own templates come first.
   */
  async effective(tenantId: string, locale: string, type: TemplateType): Promise<EffectiveTemplate> {
    const custom = (await this.tenantTemplates(tenantId)).get(`${locale.toLowerCase()}/${type}`);
    if (custom) return { locale: custom.locale, templateType: type, content: custom.content, isDefault: false, updatedAt: custom.updatedAt };
    const shipped = defaultTemplate(locale, type);
    if (shipped) return { locale, templateType: type, content: shipped, isDefault: true, updatedAt: null };
    return { locale, templateType: type, content: defaultTemplate('en', type)!, isDefault: true, updatedAt: null };
  }

  /**
   * One page of the effective templates (SPEC §2), in the order of `localesOf` and then of
   * `TEMPLATE_TYPES`. The cursor names the last item's locale and type; because that order
   * is fixed, a page after a cursor whose locale has meanwhile gone still starts in place.
   */
  async list(
    tenantId: string,
    filter: { locale?: string | undefined; templateType?: TemplateType | undefined },
    page: { limit: number; cursor?: string | undefined } = { limit: Number.MAX_SAFE_INTEGER },
  ): Promise<{ items: EffectiveTemplate[]; nextCursor: string | null }> {
    const after = decodeTemplateCursor(page.cursor);
    const locales = filter.locale ? [filter.locale] : await this.localesOf(tenantId);
    const types = filter.templateType ? [filter.templateType] : TEMPLATE_TYPES;
    const items: EffectiveTemplate[] = [];
    for (const l of locales) {
      for (const t of types) {
        if (after && compareTemplateKeys({ locale: l, templateType: t }, after) <= 0) continue;
        if (items.length === page.limit) return { items, nextCursor: encodeTemplateCursor(items[items.length - 1]!) };
        items.push(await this.effective(tenantId, l, t));
      }
    }
    return { items, nextCursor: null };
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

  /**
   * The locale of a send with the tenant's templates (SPEC §5): the tenant's own templates of
   * this type are looked up along the whole chain (request, base language, Accept-Language,
   * tenant default, `en`) before any shipped default, so a tenant's `pt` beats the shipped
   * `pt-BR` for a `pt-BR` request.
   */
  async resolveTemplateLocale(tenantId: string, type: TemplateType, requested: string | undefined, acceptLanguage: string | undefined): Promise<string> {
    const sie = await this.signInExperience.get(tenantId);
    const chain = {
      requested,
      acceptLanguage: requested || !sie.languages.autoDetect ? undefined : acceptLanguage,
      tenantDefault: sie.languages.default,
    };
    const own = [...(await this.tenantTemplates(tenantId)).values()].filter((t) => t.templateType === type).map((t) => t.locale);
    return findLocale({ ...chain, available: own }) ?? resolveLocale({ ...chain, available: SHIPPED_LOCALES });
  }

  async brandingVariables(tenantId: string): Promise<TemplateVariables['branding']> {
    return this.branding.get(tenantId);
  }

  async render(req: RenderRequest): Promise<RenderedMessage> {
    const variables = req.variables as TemplateVariables;
    if (!req.customTemplates) {
      const locale = await this.resolveLocaleFor(req.tenantId, req.locale, req.acceptLanguage);
      const cb = (req.connectorBranding ?? {}) as NonNullable<TemplateVariables['branding']>;
      const r = renderBuiltin(req.templateType, locale, { ...variables, application: { name: cb.senderName || this.fallbackName, ...variables.application }, branding: cb });
      return { locale, ...r, variables: { ...req.variables, locale } };
    }
    const locale = await this.resolveTemplateLocale(req.tenantId, req.templateType, req.locale, req.acceptLanguage);
    const [eff, branding] = await Promise.all([this.effective(req.tenantId, locale, req.templateType), this.brandingVariables(req.tenantId)]);
    const vars: TemplateVariables = { ...variables, locale, branding: { ...branding, ...variables.branding }, application: { name: branding?.companyName || branding?.senderName || this.fallbackName, logoUrl: branding?.logoUrl, ...variables.application } };
    const r = this.renderer.render(eff.content, vars);
    return {
      locale,
      ...r,
      replyTo: eff.content.replyTo,
      // Stored before control characters were refused, a name must still not reach From: raw.
      senderName: headerText(eff.content.senderName ?? branding?.senderName),
      variables: { ...req.variables, locale },
    };
  }
}

interface TemplateKey {
  locale: string;
  templateType: string;
}

const SHIPPED_RANK = new Map(SHIPPED_LOCALES.map((l, i) => [l.toLowerCase(), i]));
const TYPE_RANK = new Map<string, number>(TEMPLATE_TYPES.map((t, i) => [t, i]));

function compareCustomLocales(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The list's order: shipped languages first in their order, then others alphabetically, then the type. */
function compareTemplateKeys(a: TemplateKey, b: TemplateKey): number {
  const ra = SHIPPED_RANK.get(a.locale.toLowerCase()) ?? SHIPPED_RANK.size;
  const rb = SHIPPED_RANK.get(b.locale.toLowerCase()) ?? SHIPPED_RANK.size;
  if (ra !== rb) return ra - rb;
  const byLocale = compareCustomLocales(a.locale, b.locale);
  if (byLocale !== 0) return byLocale;
  return (TYPE_RANK.get(a.templateType) ?? -1) - (TYPE_RANK.get(b.templateType) ?? -1);
}

function encodeTemplateCursor(t: TemplateKey): string {
  return Buffer.from(JSON.stringify([t.locale, t.templateType])).toString('base64url');
}

function decodeTemplateCursor(cursor: string | undefined): TemplateKey | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string' && TYPE_RANK.has(v[1])) {
      return { locale: v[0], templateType: v[1] };
    }
  } catch {
    // fall through
  }
  throw new AppError('request.invalid', 'The cursor is not one this API returned.', { issues: [{ path: 'cursor', message: 'unreadable cursor' }] });
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
