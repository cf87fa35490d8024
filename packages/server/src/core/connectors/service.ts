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
import { AppError, fieldIssues, tooDeep } from '../errors.js';
import type { Clock, ConnectorCatalog, ConnectorStore, DkimKeySource, StoredConnector } from '../ports.js';
import { dependentWords, emailDependents, type SignInExperienceService } from '../sign-in-experience.js';
import { mergePatch } from '../../lib/merge-patch.js';
import { LiveConnectorPool, type LiveConnector, type PoolOptions } from './pool.js';

export type { LiveConnector } from './pool.js';

export interface PublicConnector {
  id: string;
  factoryId: string;
  type: 'email';
  config: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

/**
 * The tenant's one email connector (SPEC §3.2): validation by the factory's schema,
 * masking, secret round-trips, the delete guard, and the live connector instances, built
 * once per saved config and reused until the config changes (on this or another instance).
 */
export class ConnectorService {
  private readonly pool: LiveConnectorPool;

  constructor(
    private readonly registry: ConnectorCatalog,
    private readonly store: ConnectorStore,
    private readonly clock: Clock,
    private readonly makeContext: (tenantId: string) => ConnectorContext,
    private readonly signInExperience: SignInExperienceService,
    /** Resolves the DKIM key a config names (factories with `dkimKeyId`). */
    private readonly dkimKeys?: DkimKeySource,
    private readonly options: PoolOptions & {
      /** An operator's rule a config must pass when saved, tested or imported (e.g. ambient credentials). */
      checkConfig?: (tenantId: string, factoryId: string, config: Record<string, unknown>) => void | Promise<void>;
    } = {},
  ) {
    this.pool = new LiveConnectorPool(store, (id) => registry.get(id), (t, f, c) => this.instantiate(t, f, c), options);
  }

  private async instantiate(
    tenantId: string,
    factory: ConnectorFactory,
    config: Record<string, unknown>,
  ): Promise<Connector> {
    const ctx = this.makeContext(tenantId);
    const keyId = factory.dkimKeyId?.(config);
    if (!keyId) return factory.create(config, ctx);
    const dkim = await this.dkimKeys?.signingKey(tenantId, keyId);
    if (!dkim) throw new ConnectorError('connector.bad_config', `The DKIM key "${keyId}" of the ${factory.name} connector no longer exists.`);
    return factory.create(config, { ...ctx, dkim });
  }

  /** Parses a config and checks what it refers to (a DKIM key). */
  async validateFor(
    tenantId: string,
    factoryId: string,
    config: unknown,
    stored?: StoredConnector,
  ): Promise<Record<string, unknown>> {
    const valid = this.validate(factoryId, config, stored);
    await this.options.checkConfig?.(tenantId, factoryId, valid);
    const keyId = this.factory(factoryId).dkimKeyId?.(valid);
    if (keyId && !(await this.dkimKeys?.exists(tenantId, keyId))) {
      throw new ConnectorError('connector.bad_config', `No DKIM key "${keyId}" in this tenant; create one with POST /api/dkim-keys.`, { details: { issues: [{ path: 'config.dkim.keyId', message: 'no such DKIM key' }] } });
    }
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

  /** The tenant's email connector as stored (secrets encrypted), or null. */
  emailConnector(tenantId: string): Promise<StoredConnector | undefined> {
    return this.store.getEmailConnector(tenantId);
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
    const merged = mergePatch(current.config, patch, tooDeep) as Record<string, unknown>;
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

  /** The tenant's live connector instance (see LiveConnectorPool). */
  getLive(tenantId: string): Promise<LiveConnector | undefined> {
    return this.pool.get(tenantId);
  }

  closeAll(): Promise<void> {
    return this.pool.closeAll();
  }
}
