import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError } from '@postern/connector-kit';
import { createTestContext, sampleMessage } from '@postern/connector-kit/conformance';
import { startPostern, type TestPostern } from '../helpers.js';
import { startSesPeer } from '../../src/testing/peers/aws-ses.js';
import ses from '../../src/connectors/aws-ses/index.js';

type Peer = Awaited<ReturnType<typeof startSesPeer>>;

/**
 * An `aws-ses` connector without keys signs with the AWS SDK's default credential chain
 * (here its first link, the environment) for the tenants in POSTERN_AWS_AMBIENT_TENANTS only.
 * The peer checks every SigV4 signature against the key it was given.
 */
describe('Amazon SES with the server’s own AWS identity', () => {
  let peer: Peer;
  const saved: Record<string, string | undefined> = {};
  const ENV = [
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_PROFILE',
    'AWS_EC2_METADATA_DISABLED',
  ];

  beforeAll(async () => {
    peer = await startSesPeer({
      accessKeyId: 'AKIAAMBIENTTEST00001',
      secretAccessKey: 'ambient/secret/key/for/the/peer/0123',
      region: 'eu-west-1',
      verifiedIdentities: ['example.test'],
    });
    for (const k of ENV) saved[k] = process.env[k];
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    process.env.AWS_ACCESS_KEY_ID = peer.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = peer.secretAccessKey;
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
  });
  afterAll(async () => {
    for (const k of ENV) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    await peer?.close();
  });

  const keyless = () => ({ region: peer.region, fromEmail: 'auth@example.test', endpoint: peer.url });

  describe('through the API', () => {
    let p: TestPostern;
    beforeAll(async () => {
      p = await startPostern('sqlite', {
        POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32',
        POSTERN_AWS_AMBIENT_TENANTS: 'default, team-a',
      });
      expect((await p.api('POST', '/api/tenants', { id: 'team-b', name: 'Team B' })).status).toBe(201);
    });
    afterAll(async () => {
      await p?.close();
    });

    it('saves a keyless config for a listed tenant and sends with the environment’s credentials', async () => {
      const put = await p.api('PUT', '/api/connectors/email', { factoryId: 'aws-ses', config: keyless() });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      expect((put.body as { config: Record<string, unknown> }).config).not.toHaveProperty('accessKeyId');
      const before = peer.received.length;
      const sent = await p.api('POST', '/api/verification-codes', { email: 'someone@inbox.test' });
      expect(sent.status, JSON.stringify(sent.body)).toBe(201);
      expect(peer.received.length).toBe(before + 1);
      expect(peer.received.at(-1)!.to).toBe('someone@inbox.test');
      const test = await p.api('POST', '/api/connectors/test', {
        factoryId: 'aws-ses',
        config: keyless(),
        to: 'other@inbox.test',
      });
      expect(test.status, JSON.stringify(test.body)).toBe(200);
    });

    it('refuses a keyless config for a tenant that is not listed', async () => {
      const put = await p.api('PUT', '/t/team-b/api/connectors/email', { factoryId: 'aws-ses', config: keyless() });
      expect(put.status).toBe(400);
      expect(put.body).toMatchObject({
        code: 'connector.bad_config',
        details: { issues: [{ path: 'config.accessKeyId' }, { path: 'config.secretAccessKey' }] },
      });
      expect((put.body as { message: string }).message).toContain('POSTERN_AWS_AMBIENT_TENANTS');
      const test = await p.api('POST', '/t/team-b/api/connectors/test', {
        factoryId: 'aws-ses',
        config: keyless(),
        to: 'other@inbox.test',
      });
      expect(test.status).toBe(400);
      expect((test.body as { code: string }).code).toBe('connector.bad_config');
      // With its own keys the same tenant is fine.
      const own = await p.api('PUT', '/t/team-b/api/connectors/email', {
        factoryId: 'aws-ses',
        config: { ...keyless(), accessKeyId: peer.accessKeyId, secretAccessKey: peer.secretAccessKey },
      });
      expect(own.status, JSON.stringify(own.body)).toBe(200);
    });

    it('refuses one key without the other', async () => {
      for (const half of [{ accessKeyId: peer.accessKeyId }, { secretAccessKey: peer.secretAccessKey }]) {
        const put = await p.api('PUT', '/api/connectors/email', {
          factoryId: 'aws-ses',
          config: { ...keyless(), ...half },
        });
        expect(put.status).toBe(400);
        expect((put.body as { code: string }).code).toBe('connector.bad_config');
      }
    });
  });

  describe('the connector', () => {
    it('signs with the default chain when the context allows it', async () => {
      const c = ses.create(ses.configSchema.parse(keyless()), createTestContext({ ambientCredentials: true }));
      try {
        const r = await c.send(sampleMessage({ to: 'direct@inbox.test', from: {} }), {
          signal: AbortSignal.timeout(10_000),
        });
        expect(r.providerMessageId).toBeTruthy();
        expect(peer.received.at(-1)!.to).toBe('direct@inbox.test');
      } finally {
        await c.close?.();
      }
    });

    it('refuses to send without keys where the context does not allow it (a config saved before the list changed)', async () => {
      for (const ctx of [createTestContext(), createTestContext({ ambientCredentials: false })]) {
        const c = ses.create(ses.configSchema.parse(keyless()), ctx);
        const before = peer.received.length;
        const err = await c.send(sampleMessage(), { signal: AbortSignal.timeout(10_000) }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ConnectorError);
        expect((err as ConnectorError).code).toBe('connector.bad_config');
        expect(peer.received.length).toBe(before);
        await c.close?.();
      }
    });

    it('a wrong key in the environment is an authentication failure', async () => {
      process.env.AWS_SECRET_ACCESS_KEY = 'not/the/right/secret/key/at/all/0000';
      const c = ses.create(ses.configSchema.parse(keyless()), createTestContext({ ambientCredentials: true }));
      try {
        const err = await c.send(sampleMessage(), { signal: AbortSignal.timeout(10_000) }).catch((e: unknown) => e);
        expect((err as ConnectorError).code).toBe('connector.auth_failed');
      } finally {
        process.env.AWS_SECRET_ACCESS_KEY = peer.secretAccessKey;
        await c.close?.();
      }
    });
  });
});
