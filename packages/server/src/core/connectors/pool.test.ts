import { describe, expect, it } from 'vitest';
import type { Connector, ConnectorFactory } from '@postern/connector-kit';
import { LiveConnectorPool } from './pool.js';
import { MemoryConnectorStore } from '../../testing/memory.js';

function counting() {
  const built: Array<{ config: Record<string, unknown>; closed: boolean }> = [];
  const factory = { id: 'f', name: 'F' } as ConnectorFactory;
  const instantiate = async (_t: string, _f: ConnectorFactory, config: Record<string, unknown>): Promise<Connector> => {
    const entry = { config, closed: false };
    built.push(entry);
    return {
      send: async () => ({ providerMessageId: null }),
      close: async () => {
        entry.closed = true;
      },
    };
  };
  return { built, factory, instantiate };
}

const stored = (updatedAt: string, config: Record<string, unknown> = {}) => ({
  id: 'c1',
  tenantId: 't1',
  type: 'email' as const,
  factoryId: 'f',
  config,
  createdAt: updatedAt,
  updatedAt,
});

describe('LiveConnectorPool (core)', () => {
  it('builds once per saved config and reuses the instance', async () => {
    const store = new MemoryConnectorStore();
    await store.insertEmailConnector(stored('2026-01-01T00:00:00.000Z'));
    const { built, factory, instantiate } = counting();
    const pool = new LiveConnectorPool(store, () => factory, instantiate);
    const a = await pool.get('t1');
    const b = await pool.get('t1');
    expect(a!.connector).toBe(b!.connector);
    expect(built).toHaveLength(1);
    await pool.closeAll();
    expect(built[0]!.closed).toBe(true);
  });

  it('concurrent first sends share one build', async () => {
    const store = new MemoryConnectorStore();
    await store.insertEmailConnector(stored('2026-01-01T00:00:00.000Z'));
    const { built, factory, instantiate } = counting();
    const pool = new LiveConnectorPool(store, () => factory, instantiate);
    const all = await Promise.all(Array.from({ length: 10 }, () => pool.get('t1')));
    expect(new Set(all.map((l) => l!.connector)).size).toBe(1);
    expect(built).toHaveLength(1);
    await pool.closeAll();
  });

  it('rebuilds when the config changes, and retires the old instance (closed at shutdown at the latest)', async () => {
    const store = new MemoryConnectorStore();
    await store.insertEmailConnector(stored('2026-01-01T00:00:00.000Z', { v: 1 }));
    const { built, factory, instantiate } = counting();
    const pool = new LiveConnectorPool(store, () => factory, instantiate, { retireAfterMs: 60_000 });
    const first = await pool.get('t1');
    await store.updateConfig('t1', 'c1', { v: 2 }, [], '2026-01-01T00:01:00.000Z');
    const second = await pool.get('t1');
    expect(second!.connector).not.toBe(first!.connector);
    expect(second!.stored.config).toEqual({ v: 2 });
    expect(built.map((b) => b.closed)).toEqual([false, false]); // still held by sends in flight
    await pool.closeAll();
    expect(built.map((b) => b.closed)).toEqual([true, true]);
  });

  it('answers undefined once the connector is deleted, and a missing factory is a bad config', async () => {
    const store = new MemoryConnectorStore();
    await store.insertEmailConnector(stored('2026-01-01T00:00:00.000Z'));
    const { factory, instantiate } = counting();
    const pool = new LiveConnectorPool(store, () => factory, instantiate);
    expect(await pool.get('t1')).toBeDefined();
    await store.delete('t1', 'c1');
    expect(await pool.get('t1')).toBeUndefined();
    await store.insertEmailConnector(stored('2026-01-02T00:00:00.000Z'));
    const none = new LiveConnectorPool(store, () => undefined, instantiate);
    await expect(none.get('t1')).rejects.toMatchObject({ code: 'connector.bad_config' });
    await pool.closeAll();
  });
});
