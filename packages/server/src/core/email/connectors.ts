import { randomUUID } from 'node:crypto';
import {
  changedDestinations,
  ConnectorError,
  getConfigPath,
  isMasked,
  maskConfig,
  maskedSecretPaths,
  restoreMaskedSecrets,
  type Connector,
  type ConnectorContext,
  type ConnectorFactory,
} from '@postern/connector-kit';
import type { ConnectorRegistry } from '../../connectors/registry.js';
import { AppError, fieldIssues, tooDeep } from '../errors.js';
import { MAX_JSON_DEPTH } from '../../lib/json-depth.js';
import type { Clock, ConnectorStore, StoredConnector } from '../ports.js';
import { dependentWords, emailDependents, type SignInExperienceService } from '../sign-in-experience.js';

export interface PublicConnector {
  id: string;
  factoryId: string;
  type: 'email';
  config: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

/**
 * Factory-specific steps the generic service cannot know: building a connector that needs
 * more than its config (the SMTP connector's DKIM key) and checking references in a
 * config (that the DKIM key exists).
 */
export interface ConnectorHooks {
  create?(
    tenantId: string,
    factory: ConnectorFactory,
    config: Record<string, unknown>,
    ctx: ConnectorContext,
  ): Promise<Connector | undefined>;
  checkReferences?(tenantId: string, factoryId: string, config: Record<string, unknown>): Promise<void>;
}

export interface LiveConnector {
  factory: ConnectorFactory;
  stored: StoredConnector;
  connector: Connector;
}

/**
 * The tenant's one email connector (SPEC §3.2): validation by the factory's schema,
 * masking, secret round-trips, the delete guard, and the live connector instances, built
 * once per saved config and reused until the config changes (on this or another instance).
 */
export class ConnectorService {
  private readonly live = new Map<string, { version: string; value: LiveConnector }>();
  private readonly building = new Map<string, Promise<LiveConnector | undefined>>();
  private readonly retiring = new Set<{ connector: Connector; timer: NodeJS.Timeout }>();

  constructor(
    private readonly registry: ConnectorRegistry,
    private readonly store: ConnectorStore,
    private readonly clock: Clock,
    private readonly makeContext: (tenantId: string) => ConnectorContext,
    private readonly signInExperience: SignInExperienceService,
    private readonly hooks: ConnectorHooks = {},
  ) {}

  private async instantiate(
    tenantId: string,
    factory: ConnectorFactory,
    config: Record<string, unknown>,
  ): Promise<Connector> {
    const ctx = this.makeContext(tenantId);
    return (await this.hooks.create?.(tenantId, factory, config, ctx)) ?? factory.create(config, ctx);
  }

  /** Parses a config and checks what it refers to (a DKIM key). */
  async validateFor(
    tenantId: string,
    factoryId: string,
    config: unknown,
    stored?: StoredConnector,
  ): Promise<Record<string, unknown>> {
    const valid = this.validate(factoryId, config, stored);
    await this.hooks.checkReferences?.(tenantId, factoryId, valid);
    return valid;
  }

  factory(id: string): ConnectorFactory {
    const f = this.registry.get(id);
    if (!f)
      throw new AppError('connector.factory_not_found', `No connector factory "${id}".`, {
        factoryId: id,
        available: this.registry.list().map((x) => x.id),
      });
    return f;
  }

  toPublic(c: StoredConnector): PublicConnector {
    return {
      id: c.id,
      factoryId: c.factoryId,
      type: 'email',
      config: maskConfig(c.config, this.registry.secretPaths(c.factoryId)),
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
    };
  }

  /**
   * Parses a config with the factory's schema; masked secrets are filled from `stored` —
   * unless the config changes a destination field, then each must be entered again.
   */
  validate(factoryId: string, config: unknown, stored?: StoredConnector): Record<string, unknown> {
    const f = this.factory(factoryId);
    const paths = this.registry.secretPaths(factoryId);
    const same = stored !== undefined && stored.factoryId === factoryId;
    const masked = same ? maskedSecretPaths(config, stored.config, paths) : [];
    const filled = same ? restoreMaskedSecrets(config, stored.config, paths) : config;
    const r = f.configSchema.safeParse(filled ?? {});
    if (!r.success) {
      const issues = fieldIssues(r.error, ['config']);
      throw new ConnectorError(
        'connector.bad_config',
        `The ${f.name} configuration is invalid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`.slice(
          0,
          500,
        ),
        { details: { issues } },
      );
    }
    const valid = r.data as Record<string, unknown>;
    if (same) this.refuseRedirectedSecrets(factoryId, masked, valid, stored.config, 'config');
    return valid;
  }

  /**
   * A stored secret is never sent to a new destination (SPEC §3.2): when `next` differs
   * from the stored config in a field the factory's schema marks with `destination()`,
   * the secrets that would be taken from the stored config (`reused`) must be entered
   * again. `400 connector.bad_config` names each, under `prefix` (`config`, `secrets`).
   */
  refuseRedirectedSecrets(
    factoryId: string,
    reused: readonly string[],
    next: Record<string, unknown>,
    storedConfig: Record<string, unknown>,
    prefix: string,
  ): void {
    if (reused.length === 0) return;
    const changed = changedDestinations(next, storedConfig, this.registry.destinationPaths(factoryId));
    if (changed.length === 0) return;
    const names = reused.join(', ');
    throw new ConnectorError(
      'connector.bad_config',
      `Enter ${names} again: this change also changes where the connector sends (${changed.join(', ')}), and a stored secret is never sent to a new destination.`,
      {
        details: {
          issues: reused.map((p) => ({
            path: `${prefix}.${p}`,
            message: `enter the secret again (${changed.join(', ')} changed)`,
          })),
          changedDestinations: changed,
        },
      },
    );
  }

  async list(tenantId: string): Promise<PublicConnector[]> {
    const c = await this.store.getEmailConnector(tenantId);
    return c ? [this.toPublic(c)] : [];
  }

  async get(tenantId: string, id: string): Promise<StoredConnector> {
    const c = await this.store.get(tenantId, id);
    if (!c) throw new AppError('connector.not_found', `No connector "${id}".`);
    return c;
  }

  private newConnector(tenantId: string, factoryId: string, config: Record<string, unknown>): StoredConnector {
    const now = this.clock.now().toISOString();
    return { id: randomUUID(), tenantId, type: 'email', factoryId, config, createdAt: now, updatedAt: now };
  }

  async create(tenantId: string, factoryId: string, config: unknown): Promise<StoredConnector> {
    const valid = await this.validateFor(tenantId, factoryId, config);
    const c = this.newConnector(tenantId, factoryId, valid);
    if (!(await this.store.insertEmailConnector(c, this.registry.secretPaths(factoryId)))) {
      throw new AppError(
        'connector.already_exists',
        'This tenant already has an email connector; use PUT /api/connectors/email to change it.',
      );
    }
    return c;
  }

  /** "Change email connector": replaces the tenant's connector in one transaction. */
  async replace(tenantId: string, factoryId: string, config: unknown): Promise<StoredConnector> {
    const current = await this.store.getEmailConnector(tenantId);
    const valid = await this.validateFor(tenantId, factoryId, config, current);
    const c = this.newConnector(tenantId, factoryId, valid);
    await this.store.replaceEmailConnector(c, this.registry.secretPaths(factoryId));
    return c;
  }

  async patch(tenantId: string, id: string, patch: Record<string, unknown>): Promise<StoredConnector> {
    const current = await this.get(tenantId, id);
    const merged = mergePatch(current.config, patch) as Record<string, unknown>;
    const valid = await this.validateFor(tenantId, current.factoryId, merged, current);
    // A merge patch keeps every secret it does not mention: those are reused as well.
    const reused = this.registry.secretPaths(current.factoryId).filter((p) => {
      const given = getConfigPath(patch, p);
      const kept = getConfigPath(valid, p);
      return (
        (given === undefined || isMasked(given)) &&
        typeof kept === 'string' &&
        kept === getConfigPath(current.config, p)
      );
    });
    this.refuseRedirectedSecrets(current.factoryId, reused, valid, current.config, 'config');
    const at = this.clock.now().toISOString();
    if (!(await this.store.updateConfig(tenantId, id, valid, this.registry.secretPaths(current.factoryId), at)))
      throw new AppError('connector.not_found');
    return { ...current, config: valid, updatedAt: at };
  }

  async delete(tenantId: string, id: string, force: boolean): Promise<{ deleted: true; warnings: string[] }> {
    await this.get(tenantId, id);
    const dependents = emailDependents(await this.signInExperience.get(tenantId));
    if (dependents.length && !force) {
      throw new AppError(
        'connector.in_use',
        `The sign-in experience needs email for: ${dependentWords(dependents)}. Turn those off first, or delete with ?force=true.`,
        { dependents },
      );
    }
    if (!(await this.store.delete(tenantId, id))) throw new AppError('connector.not_found');
    return { deleted: true, warnings: dependents };
  }

  /** Every new tenant starts with the built-in service (SPEC §3.1). */
  async ensureDefaultConnector(tenantId: string): Promise<void> {
    if (await this.store.getEmailConnector(tenantId)) return;
    await this.store.insertEmailConnector(this.newConnector(tenantId, 'builtin', {}), []);
  }

  /** A connector instance for an unsaved config (test sends); the caller closes it. */
  async build(
    tenantId: string,
    factoryId: string,
    config: Record<string, unknown>,
  ): Promise<{ factory: ConnectorFactory; connector: Connector }> {
    const factory = this.factory(factoryId);
    return { factory, connector: await this.instantiate(tenantId, factory, config) };
  }

  /**
   * The live connector of a tenant, rebuilt only when its saved config changed. One cheap
   * version query per send keeps several instances in step.
   */
  async getLive(tenantId: string): Promise<LiveConnector | undefined> {
    const version = await this.store.version(tenantId);
    const hit = this.live.get(tenantId);
    if (hit && hit.version === version) return hit.value;
    if (!version) {
      if (hit) {
        this.live.delete(tenantId);
        this.retire(hit.value.connector);
      }
      return undefined;
    }
    // Concurrent first sends share one build, so no pooled connector is built twice.
    const key = `${tenantId}\n${version}`;
    let pending = this.building.get(key);
    if (!pending) {
      pending = this.buildLive(tenantId).finally(() => this.building.delete(key));
      this.building.set(key, pending);
    }
    return pending;
  }

  private async buildLive(tenantId: string): Promise<LiveConnector | undefined> {
    const stored = await this.store.getEmailConnector(tenantId);
    if (!stored) return undefined;
    const factory = this.registry.get(stored.factoryId);
    if (!factory)
      throw new ConnectorError(
        'connector.bad_config',
        `The saved connector uses the factory "${stored.factoryId}", which this instance does not have.`,
      );
    const value = { factory, stored, connector: await this.instantiate(tenantId, factory, stored.config) };
    const old = this.live.get(tenantId);
    this.live.set(tenantId, { version: `${stored.id}@${stored.updatedAt}`, value });
    if (old && old.value.connector !== value.connector) this.retire(old.value.connector);
    return value;
  }

  /**
   * Closes a replaced connector once the sends still running on it are done: they hold it
   * for at most the delivery budget (15 s), so it is closed a little after that.
   */
  private retire(connector: Connector): void {
    const entry = {
      connector,
      timer: setTimeout(() => {
        this.retiring.delete(entry);
        void connector.close?.().catch(() => undefined);
      }, 20_000),
    };
    entry.timer.unref();
    this.retiring.add(entry);
  }

  async closeAll(): Promise<void> {
    const all = [...this.live.values()].map((l) => l.value.connector);
    for (const r of this.retiring) {
      clearTimeout(r.timer);
      all.push(r.connector);
    }
    this.live.clear();
    this.retiring.clear();
    await Promise.allSettled(all.map((c) => c.close?.()));
  }
}

/** JSON Merge Patch (RFC 7396). */
export function mergePatch(target: unknown, patch: unknown, depth = 0): unknown {
  if (!patch || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  // HTTP bodies are bounded before parsing; this holds for documents from anywhere else.
  if (depth >= MAX_JSON_DEPTH) throw tooDeep();
  const out: Record<string, unknown> =
    target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (k === '__proto__' || k === 'constructor' || k === 'prototype') continue;
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v, depth + 1);
  }
  return out;
}
