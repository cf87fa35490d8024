import { describe, expect, it } from 'vitest';
import {
  defineConnector,
  secret,
  z,
  type ConnectorContext,
  type ConnectorFactory,
  type DkimSigningKey,
} from '@postern/connector-kit';
import { ConnectorService } from './service.js';
import { SignInExperienceService } from '../sign-in-experience.js';
import type { ConnectorCatalog, DkimKeySource, SettingsStore } from '../ports.js';
import { ManualClock, MemoryConnectorStore } from '../../testing/memory.js';
import { destinationPaths, secretPaths } from '@postern/connector-kit';

/** A factory that records the context each instance was built with. */
function recordingFactory() {
  const contexts: ConnectorContext[] = [];
  const factory = defineConnector<{ apiKey: string; keyId?: string | undefined }>({
    id: 'acme',
    name: 'Acme',
    description: 'test',
    logo: '<svg/>',
    readme: '# Acme',
    configSchema: z.strictObject({ apiKey: secret(z.string().min(1)), keyId: z.string().optional() }),
    capabilities: { customTemplates: true, providerTemplates: false, customSender: true },
    create: (_config, ctx) => {
      contexts.push(ctx);
      return { send: async () => ({ providerMessageId: null }) };
    },
    dkimKeyId: (config) => config.keyId,
  });
  return { factory, contexts };
}

function catalog(...factories: ConnectorFactory[]): ConnectorCatalog {
  return {
    get: (id) => factories.find((f) => f.id === id),
    list: () => factories,
    secretPaths: (id) => secretPaths(factories.find((f) => f.id === id)!.configSchema),
    destinationPaths: (id) => destinationPaths(factories.find((f) => f.id === id)!.configSchema),
  };
}

const memorySettings = (): SettingsStore => {
  const m = new Map<string, unknown>();
  return {
    get: async <T>(t: string, k: string) => m.get(`${t}|${k}`) as T | undefined,
    put: async (t, k, v) => void m.set(`${t}|${k}`, v),
  };
};

const KEY: DkimSigningKey = {
  domainName: 'example.test',
  keySelector: 's1',
  privateKey: '-----BEGIN PRIVATE KEY-----x',
};
const keys: DkimKeySource = {
  exists: async (_t, id) => id === 'k1',
  signingKey: async (_t, id) => (id === 'k1' ? KEY : undefined),
};

function setup() {
  const { factory, contexts } = recordingFactory();
  const store = new MemoryConnectorStore();
  const clock = new ManualClock();
  const sie = new SignInExperienceService(memorySettings(), store, clock);
  const makeContext = (tenantId: string) => ({ tenantId, publicUrl: 'https://auth.example.test' }) as ConnectorContext;
  const service = new ConnectorService(catalog(factory), store, clock, makeContext, sie, keys);
  return { service, store, contexts, clock };
}

describe('ConnectorService (core)', () => {
  it('validates by the factory schema and masks secrets in what it shows', async () => {
    const { service } = setup();
    await expect(service.create('t1', 'acme', { apiKey: '' })).rejects.toMatchObject({ code: 'connector.bad_config' });
    await expect(service.create('t1', 'nope', {})).rejects.toMatchObject({ code: 'connector.factory_not_found' });
    const c = await service.create('t1', 'acme', { apiKey: 'sk_live_secret' });
    expect(JSON.stringify(service.toPublic(c))).not.toContain('sk_live_secret');
    await expect(service.create('t1', 'acme', { apiKey: 'x' })).rejects.toMatchObject({
      code: 'connector.already_exists',
    });
  });

  it('patches with a merge patch; a masked secret sent back keeps the stored one', async () => {
    const { service, clock } = setup();
    const c = await service.create('t1', 'acme', { apiKey: 'sk_live_secret' });
    const masked = service.toPublic(c).config;
    clock.advance(1000);
    const p = await service.patch('t1', c.id, { ...masked, keyId: null });
    expect(p.config.apiKey).toBe('sk_live_secret');
    expect(p.updatedAt).not.toBe(c.updatedAt);
  });

  it('refuses a config naming a DKIM key that does not exist, and hands an existing one to create() as ctx.dkim', async () => {
    const { service, contexts } = setup();
    await expect(service.create('t1', 'acme', { apiKey: 'k', keyId: 'missing' })).rejects.toMatchObject({
      code: 'connector.bad_config',
      details: { issues: [{ path: 'config.dkim.keyId' }] },
    });
    await service.create('t1', 'acme', { apiKey: 'k', keyId: 'k1' });
    const live = await service.getLive('t1');
    expect(live).toBeDefined();
    expect(contexts.at(-1)!.dkim).toEqual(KEY);
    await service.closeAll();
  });

  it('guards deleting a connector the sign-in experience needs, unless forced', async () => {
    const { service } = setup();
    const c = await service.create('t1', 'acme', { apiKey: 'k' });
    await expect(service.delete('t1', c.id, false)).rejects.toMatchObject({ code: 'connector.in_use' });
    const r = await service.delete('t1', c.id, true);
    expect(r.deleted).toBe(true);
    expect(r.warnings.length).toBeGreaterThan(0);
    expect(await service.list('t1')).toEqual([]);
  });
});
