import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { TEMPLATE_TYPES, deleteConfigPath, getConfigPath, isMasked, setConfigPath } from '@postern/connector-kit';
import { diffConnector, diffLeaves, type Change, type SecretOutcome } from './config-diff.js';
import { AppError, fieldIssues, tooDeep, type FieldIssue } from './errors.js';
import { jsonValueDepth, MAX_JSON_DEPTH } from '../lib/json-depth.js';
import type { Clock, Stores, StoredConnector, Tenant } from './ports.js';
import type { ConnectorService } from './connectors/service.js';
import type { ConnectorCatalog } from './ports.js';
import { isTemplateError, type TemplateRenderer } from './templates/index.js';
import { BrandingSchema, type Branding, type BrandingService } from './branding.js';
import { dependentWords, emailDependents, SignInExperienceSchema, type SignInExperience, type SignInExperienceService } from './sign-in-experience.js';
import { checkTestAddresses, CodePolicySchema, DEFAULT_CODE_POLICY, type CodePolicy, type CodePolicyService } from './codes/policy.js';
import type { TemplateService } from './templates/service.js';

/** The same bounds as `PUT /api/email-templates/:locale/:templateType`. */
const BundleTemplate = z.strictObject({
  locale: z
    .string()
    .min(2)
    .max(35)
    .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language tag such as en or pt-BR'),
  templateType: z.enum(TEMPLATE_TYPES),
  subject: z.string().min(1).max(998),
  html: z.string().min(1).max(500_000),
  text: z.string().max(500_000).nullable(),
  replyTo: z.string().max(320).nullable(),
  senderName: z.string().max(100).nullable(),
});

/** The settings bundle (docs/config-bundle.md). Version 1. */
export const BundleSchema = z
  .strictObject({
    version: z.literal(1),
    exportedAt: z.string(),
    tenant: z.strictObject({ id: z.string(), type: z.enum(['development', 'production']) }),
    connector: z
      .strictObject({
        factoryId: z.string(),
        config: z.record(z.string(), z.unknown()),
        /** The secret fields the source has and the export left out; an import must supply each. */
        omittedSecrets: z.array(z.string()).optional(),
      })
      .nullable(),
    /** The fallback connector (SPEC §15): null for none; absent (older bundles) leaves the target's as it is. */
    fallbackConnector: z
      .strictObject({
        factoryId: z.string(),
        config: z.record(z.string(), z.unknown()),
        omittedSecrets: z.array(z.string()).optional(),
      })
      .nullable()
      .optional(),
    templates: z.array(BundleTemplate).max(10_000),
    branding: BrandingSchema,
    signInExperience: SignInExperienceSchema,
    codePolicy: CodePolicySchema,
  })
  .meta({ id: 'ConfigBundle' });
export type Bundle = z.infer<typeof BundleSchema>;

export type { Change, SecretOutcome } from './config-diff.js';

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

const unset = deleteConfigPath;
const set = setConfigPath;

const TEMPLATE_FIELDS = ['subject', 'html', 'text', 'replyTo', 'senderName'] as const;
type TemplateFields = Record<(typeof TEMPLATE_FIELDS)[number], string | null>;
const templateFields = (t: TemplateFields) => Object.fromEntries(TEMPLATE_FIELDS.map((f) => [f, t[f]]));

/** What an import does: each change with its before and after, and each connector secret's fate. */
export interface ImportResult {
  changes: Change[];
  secrets?: SecretOutcome[];
  applied: boolean;
}

export interface BundleDeps {
  stores: Stores;
  clock: Clock;
  registry: ConnectorCatalog;
  connectors: ConnectorService;
  /** The fallback connector (SPEC §15); without it bundles carry none. */
  fallbackConnectors?: ConnectorService;
  renderer: TemplateRenderer;
  templates: TemplateService;
  branding: BrandingService;
  signInExperience: SignInExperienceService;
  policies: CodePolicyService;
  /** Runs `fn` with stores bound to one database transaction. */
  transaction<T>(fn: (stores: Stores) => Promise<T>): Promise<T>;
}

/** Export and import of a tenant's settings (SPEC §13): dev → production in one transaction. */
export class ConfigBundles {
  constructor(private readonly d: BundleDeps) {}

  async export(tenant: Tenant, includeSecrets: boolean): Promise<Bundle> {
    const connector = await this.d.stores.connectors.getEmailConnector(tenant.id);
    let conn: Bundle['connector'] = null;
    if (connector) {
      const config = structuredClone(connector.config);
      const omitted: string[] = [];
      if (!includeSecrets) {
        for (const p of this.d.registry.secretPaths(connector.factoryId)) {
          if (getConfigPath(config, p) === undefined) continue;
          unset(config, p);
          omitted.push(p);
        }
      }
      conn = { factoryId: connector.factoryId, config, ...(omitted.length ? { omittedSecrets: omitted } : {}) };
    }
    const templates = (await this.d.stores.templates.listForTenant(tenant.id))
      .map((t) => ({ locale: t.locale, templateType: t.templateType as (typeof TEMPLATE_TYPES)[number], subject: t.subject, html: t.html, text: t.text, replyTo: t.replyTo, senderName: t.senderName }))
      .sort((a, b) => `${a.locale}/${a.templateType}`.localeCompare(`${b.locale}/${b.templateType}`));
    return {
      version: 1,
      exportedAt: this.d.clock.now().toISOString(),
      tenant: { id: tenant.id, type: tenant.type },
      connector: conn,
      ...(this.d.fallbackConnectors ? { fallbackConnector: await this.exportFallback(tenant, includeSecrets) } : {}),
      templates,
      branding: await this.d.branding.get(tenant.id),
      signInExperience: await this.d.signInExperience.get(tenant.id),
      codePolicy: await this.d.policies.get(tenant.id),
    };
  }

  async import(tenant: Tenant, input: { bundle: unknown; secrets?: Record<string, string> | undefined; dryRun?: boolean | undefined }): Promise<ImportResult> {
    // The HTTP edge bounds body depth; a bundle read from a file by the CLI is checked here.
    if (jsonValueDepth(input.bundle) > MAX_JSON_DEPTH || jsonValueDepth(input.secrets) > MAX_JSON_DEPTH) throw tooDeep();
    const parsed = BundleSchema.safeParse(withNewPolicyFields(input.bundle));
    if (!parsed.success) {
      const issues = fieldIssues(parsed.error, ['bundle']);
      throw new AppError('request.invalid', `The bundle is not a Postern settings bundle of version 1: ${issues.slice(0, 5).map((i) => `${i.path}: ${i.message}`).join('; ')}`, { issues });
    }
    const bundle = parsed.data;
    const changes: Change[] = [];
    const secretOutcomes: SecretOutcome[] = [];

    // One template per type and language (language tags are case-insensitive).
    const seen = new Map<string, number>();
    const duplicates: FieldIssue[] = [];
    const twice = new Set<string>();
    bundle.templates.forEach((t, i) => {
      const key = `${t.locale.toLowerCase()}/${t.templateType}`;
      const first = seen.get(key);
      if (first === undefined) seen.set(key, i);
      else {
        twice.add(`${t.templateType} in ${t.locale}`);
        duplicates.push({ path: `bundle.templates.${i}`, message: `a second ${t.templateType} template for ${t.locale} (the first is bundle.templates.${first})` });
      }
    });
    if (duplicates.length) {
      throw new AppError('request.invalid', `The bundle has more than one template for the same type and language (${[...twice].join(', ')}); keep one of each.`, { issues: duplicates });
    }

    // Connector: secrets from the bundle, else from `secrets`, else the target's own when the factory is the same.
    const current = await this.d.stores.connectors.getEmailConnector(tenant.id);
    let nextConfig: Record<string, unknown> | undefined;
    if (bundle.connector) {
      const { factoryId } = bundle.connector;
      this.d.connectors.factory(factoryId);
      const config = structuredClone(bundle.connector.config);
      const missing: string[] = [];
      // Secrets taken from the target's stored config: refused below if the bundle changes a destination.
      const reused: string[] = [];
      for (const p of this.d.registry.secretPaths(factoryId)) {
        const value = getConfigPath(config, p);
        // A masked value (an export of what the API showed) is no secret: treat it as absent.
        if (value !== undefined && !isMasked(value)) continue;
        if (value !== undefined) unset(config, p);
        const given = input.secrets?.[p];
        if (given !== undefined) set(config, p, given);
        else if (current?.factoryId === factoryId && getConfigPath(current.config, p) !== undefined) {
          set(config, p, getConfigPath(current.config, p));
          reused.push(p);
        } else if (bundle.connector.omittedSecrets?.includes(p) || value !== undefined) missing.push(p);
        else {
          const r = this.d.connectors.factory(factoryId).configSchema.safeParse(config);
          if (!r.success && r.error.issues.some((i) => i.path.map(String).join('.') === p)) missing.push(p);
        }
      }
      if (missing.length) {
        throw new AppError('request.invalid', `The bundle's ${factoryId} connector needs its secret ${missing.join(', ')}: pass it in "secrets" (e.g. {"${missing[0]}": "…"}).`, { issues: missing.map((m) => ({ path: `secrets.${m}`, message: 'required' })) });
      }
      nextConfig = await this.d.connectors.validateFor(tenant.id, factoryId, config);
      if (current && reused.length) this.d.connectors.refuseRedirectedSecrets(factoryId, reused, nextConfig, current.config, 'secrets');
      diffConnector('connector', this.side(current), { factoryId, config: nextConfig, secretPaths: this.d.registry.secretPaths(factoryId) }, changes, secretOutcomes);
    } else if (current) {
      diffConnector('connector', this.side(current), undefined, changes, secretOutcomes);
    }
    const fallback = await this.planFallback(tenant, bundle, input.secrets, changes, secretOutcomes);

    // Templates: the target ends with exactly the bundle's own templates.
    const existing = new Map((await this.d.stores.templates.listForTenant(tenant.id)).map((t) => [`${t.locale}/${t.templateType}`, t]));
    const wanted = new Map(bundle.templates.map((t) => [`${t.locale}/${t.templateType}`, t]));
    for (const [key, t] of wanted) {
      // Each compile is bounded (templates/limits.ts); yielding between them keeps a bundle of
      // many templates from holding the event loop for their sum.
      await new Promise((resolve) => setImmediate(resolve));
      try {
        this.d.renderer.validate({ subject: t.subject, html: t.html, ...(t.text ? { text: t.text } : {}), ...(t.replyTo ? { replyTo: t.replyTo } : {}), ...(t.senderName ? { senderName: t.senderName } : {}) });
      } catch (err) {
        if (!isTemplateError(err)) throw err;
        const index = bundle.templates.indexOf(t);
        throw new AppError('template.invalid', `The bundle's ${t.templateType} template for ${t.locale} is invalid: ${err.message}`, { ...err.details, path: `bundle.templates.${index}`, locale: t.locale, templateType: t.templateType });
      }
      const e = existing.get(key);
      if (!e) changes.push({ path: `templates.${key}`, action: 'add', after: templateFields(t) });
      else {
        // Only the fields that differ: a template's HTML is long, and most edits touch one field.
        const differing = TEMPLATE_FIELDS.filter((f) => !same(e[f], t[f]));
        if (differing.length) changes.push({ path: `templates.${key}`, action: 'update', before: Object.fromEntries(differing.map((f) => [f, e[f]])), after: Object.fromEntries(differing.map((f) => [f, t[f]])) });
      }
    }
    for (const [key, e] of existing) if (!wanted.has(key)) changes.push({ path: `templates.${key}`, action: 'remove', before: templateFields(e) });

    const branding: Branding = bundle.branding;
    diffLeaves('branding', await this.d.branding.get(tenant.id), branding, changes);
    const sie: SignInExperience = bundle.signInExperience;
    diffLeaves('signInExperience', await this.d.signInExperience.get(tenant.id), sie, changes);
    // Test addresses exist for development tenants only; they do not carry over to production.
    const policy: CodePolicy = { ...bundle.codePolicy, testAddresses: tenant.type === 'development' ? checkTestAddresses(bundle.codePolicy, 'bundle.codePolicy.') : [] };
    diffLeaves('codePolicy', await this.d.policies.get(tenant.id), policy, changes);

    // The guards of the endpoints that change these settings one by one hold for an import too.
    if (!sie.signIn.methods.some((m) => m.password || m.verificationCode)) {
      throw new AppError('sign_in_experience.no_sign_in_method', 'The bundle leaves sign-in without a method: keep password or verification code on for at least one identifier.', { fields: ['signIn.methods'] });
    }
    const dependents = emailDependents(sie);
    if (!bundle.connector && current && dependents.length) {
      // The same guard as DELETE /api/connectors/:id: sign-in would need email and have none.
      throw new AppError('connector.in_use', `The bundle removes the email connector, but its sign-in experience needs email for: ${dependentWords(dependents)}. Turn those off in the bundle, or include a connector.`, { dependents });
    }
    if (!bundle.connector && !current && dependents.length) {
      throw new AppError('sign_in_experience.email_connector_required', 'The bundle turns on email flows but has no email connector.', { fields: dependents });
    }
    const result = (applied: boolean): ImportResult => ({ changes, ...(secretOutcomes.length ? { secrets: secretOutcomes } : {}), applied });
    if (input.dryRun || changes.length === 0) return result(false);

    const at = this.d.clock.now().toISOString();
    await this.d.transaction(async (st) => {
      if (bundle.connector && nextConfig && changes.some((c) => c.path.startsWith('connector'))) {
        await st.connectors.replaceEmailConnector({ id: randomUUID(), tenantId: tenant.id, type: 'email', factoryId: bundle.connector.factoryId, config: nextConfig, createdAt: at, updatedAt: at }, this.d.registry.secretPaths(bundle.connector.factoryId));
      } else if (!bundle.connector && current) {
        await st.connectors.delete(tenant.id, current.id);
      }
      if (fallback.next && bundle.fallbackConnector && changes.some((c) => c.path.startsWith('fallbackConnector'))) {
        await st.fallbackConnectors.replaceEmailConnector({ id: randomUUID(), tenantId: tenant.id, type: 'email', factoryId: bundle.fallbackConnector.factoryId, config: fallback.next, createdAt: at, updatedAt: at }, this.d.registry.secretPaths(bundle.fallbackConnector.factoryId));
      } else if (bundle.fallbackConnector === null && fallback.current) {
        await st.fallbackConnectors.delete(tenant.id, fallback.current.id);
      }
      for (const key of existing.keys()) if (!wanted.has(key)) await st.templates.delete(tenant.id, key.split('/')[0]!, key.split('/')[1]!);
      for (const t of wanted.values()) await st.templates.put({ tenantId: tenant.id, ...t, updatedAt: at });
      await st.settings.put(tenant.id, 'branding', branding, at);
      await st.settings.put(tenant.id, 'signInExperience', sie, at);
      await st.settings.put(tenant.id, 'codePolicy', policy, at);
    });
    this.d.templates.invalidate(tenant.id);
    this.d.policies.invalidate(tenant.id);
    this.d.branding.invalidate(tenant.id);
    this.d.signInExperience.invalidate(tenant.id);
    return result(true);
  }

  private side(c: StoredConnector | undefined) {
    return c && { factoryId: c.factoryId, config: c.config, secretPaths: this.d.registry.secretPaths(c.factoryId) };
  }

  private async exportFallback(tenant: Tenant, includeSecrets: boolean): Promise<Bundle['connector']> {
    const c = await this.d.stores.fallbackConnectors.getEmailConnector(tenant.id);
    if (!c) return null;
    const config = structuredClone(c.config);
    const omitted: string[] = [];
    if (!includeSecrets) {
      for (const p of this.d.registry.secretPaths(c.factoryId)) {
        if (getConfigPath(config, p) === undefined) continue;
        unset(config, p);
        omitted.push(p);
      }
    }
    return { factoryId: c.factoryId, config, ...(omitted.length ? { omittedSecrets: omitted } : {}) };
  }

  /**
   * The fallback connector's part of an import: its secrets come from the bundle, else from
   * `secrets["fallbackConnector.<field>"]`, else the target's own fallback of the same factory.
   */
  private async planFallback(tenant: Tenant, bundle: Bundle, secrets: Record<string, string> | undefined, changes: Change[], secretOutcomes: SecretOutcome[]): Promise<{ current: StoredConnector | undefined; next?: Record<string, unknown> }> {
    const current = await this.d.stores.fallbackConnectors.getEmailConnector(tenant.id);
    const b = bundle.fallbackConnector;
    if (b === undefined || !this.d.fallbackConnectors) return { current };
    if (b === null) {
      if (current) diffConnector('fallbackConnector', this.side(current), undefined, changes, secretOutcomes);
      return { current };
    }
    this.d.fallbackConnectors.factory(b.factoryId);
    const config = structuredClone(b.config);
    const missing: string[] = [];
    for (const p of this.d.registry.secretPaths(b.factoryId)) {
      if (getConfigPath(config, p) !== undefined) continue;
      const given = secrets?.[`fallbackConnector.${p}`];
      if (given !== undefined) set(config, p, given);
      else if (current?.factoryId === b.factoryId && getConfigPath(current.config, p) !== undefined) set(config, p, getConfigPath(current.config, p));
      else if (b.omittedSecrets?.includes(p)) missing.push(p);
    }
    if (missing.length) {
      throw new AppError('request.invalid', `The bundle's ${b.factoryId} fallback connector needs its secret ${missing.join(', ')}: pass it in "secrets" (e.g. {"fallbackConnector.${missing[0]}": "…"}).`, { issues: missing.map((m) => ({ path: `secrets.fallbackConnector.${m}`, message: 'required' })) });
    }
    const next = await this.d.fallbackConnectors.validateFor(tenant.id, b.factoryId, config);
    diffConnector('fallbackConnector', this.side(current), { factoryId: b.factoryId, config: next, secretPaths: this.d.registry.secretPaths(b.factoryId) }, changes, secretOutcomes);
    return { current, next };
  }
}

/** A bundle exported before a code policy field existed gets that field's default. */
function withNewPolicyFields(bundle: unknown): unknown {
  if (!bundle || typeof bundle !== 'object' || Array.isArray(bundle)) return bundle;
  const policy = (bundle as { codePolicy?: unknown }).codePolicy;
  if (!policy || typeof policy !== 'object' || Array.isArray(policy) || 'maxFailedPasswordsPerIpPerHour' in policy) return bundle;
  return { ...bundle, codePolicy: { ...policy, maxFailedPasswordsPerIpPerHour: DEFAULT_CODE_POLICY.maxFailedPasswordsPerIpPerHour } };
}
