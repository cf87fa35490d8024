import { ConnectorError, type Connector, type ConnectorFactory } from '@postern/connector-kit';
import type { ConnectorStore, StoredConnector } from '../ports.js';

export interface LiveConnector {
  factory: ConnectorFactory;
  stored: StoredConnector;
  connector: Connector;
}

export interface PoolOptions {
  /** How long a replaced connector stays open for the sends still running on it. */
  retireAfterMs?: number;
}

/**
 * The live connector instances, one per tenant, built once per saved config and reused
 * until the config changes (on this or another instance): pooled SMTP connections and
 * keep-alive HTTP agents live as long as their config.
 */
export class LiveConnectorPool {
  private readonly live = new Map<string, { version: string; value: LiveConnector }>();
  private readonly building = new Map<string, Promise<LiveConnector | undefined>>();
  private readonly retiring = new Set<{ connector: Connector; timer: NodeJS.Timeout }>();
  private readonly retireAfterMs: number;

  constructor(
    private readonly store: Pick<ConnectorStore, 'version' | 'getEmailConnector'>,
    private readonly factoryOf: (id: string) => ConnectorFactory | undefined,
    private readonly instantiate: (
      tenantId: string,
      factory: ConnectorFactory,
      config: Record<string, unknown>,
    ) => Promise<Connector>,
    opts: PoolOptions = {},
  ) {
    this.retireAfterMs = opts.retireAfterMs ?? 20_000;
  }

  /**
   * The live connector of a tenant, rebuilt only when its saved config changed. One cheap
   * version query per send keeps several instances in step.
   */
  async get(tenantId: string): Promise<LiveConnector | undefined> {
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
      pending = this.build(tenantId).finally(() => this.building.delete(key));
      this.building.set(key, pending);
    }
    return pending;
  }

  private async build(tenantId: string): Promise<LiveConnector | undefined> {
    const stored = await this.store.getEmailConnector(tenantId);
    if (!stored) return undefined;
    const factory = this.factoryOf(stored.factoryId);
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
      }, this.retireAfterMs),
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
