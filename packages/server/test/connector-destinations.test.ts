import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpPeer, type HttpPeer, type PeerRequest } from '../src/connectors/_provider/http-peer.test-helpers.js';
import { DIALECTS, startPostern, type TestPostern } from './helpers.js';

/**
 * A stored secret is never sent to a new destination (SPEC §3.2): a masked secret sent back
 * in the same request that changes a destination field is refused with 400
 * connector.bad_config naming it — through PATCH, the test send and import, for every
 * built-in factory with a destination field.
 */

const SIGNING = 'whsec_' + Buffer.alloc(32, 9).toString('base64');
const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUattacker\n-----END CERTIFICATE-----';

interface Case {
  name: string;
  factoryId: string;
  config: (attacker: string) => Record<string, unknown>;
  /** Every secret path of the config, each of which must be entered again. */
  secrets: string[];
  /** Each destination field with a new value pointing elsewhere. */
  moves: (attacker: string) => Record<string, unknown>;
  /** A change that is not a destination: masked secrets are kept. */
  benign: Record<string, unknown>;
}

const CASES: Case[] = [
  {
    name: 'http',
    factoryId: 'http',
    config: () => ({
      endpoint: 'https://hooks.example.test/postern',
      authorization: 'Bearer stored-http-secret-0001',
      signingSecret: SIGNING,
    }),
    secrets: ['authorization', 'signingSecret'],
    moves: (a) => ({ endpoint: `${a}/steal` }),
    benign: { timeoutMs: 5000 },
  },
  {
    name: 'smtp (password)',
    factoryId: 'smtp',
    config: () => ({
      host: 'smtp.example.test',
      port: 587,
      auth: { type: 'login', user: 'postern', pass: 'stored-smtp-password-0001' },
      fromEmail: 'auth@example.test',
      tls: { servername: 'smtp.example.test' },
    }),
    secrets: ['auth.pass'],
    moves: () => ({
      host: '127.0.0.1',
      port: 2525,
      'tls.servername': 'evil.example.test',
      'tls.rejectUnauthorized': false,
      'tls.ca': PEM,
    }),
    benign: { fromName: 'Acme' },
  },
  {
    name: 'smtp (oauth2)',
    factoryId: 'smtp',
    config: () => ({
      host: 'smtp.example.test',
      auth: {
        type: 'oauth2',
        user: 'postern',
        clientId: 'client-1',
        clientSecret: 'stored-client-secret-0001',
        refreshToken: 'stored-refresh-token-0001',
        accessUrl: 'https://oauth2.example.test/token',
      },
      fromEmail: 'auth@example.test',
    }),
    secrets: ['auth.clientSecret', 'auth.refreshToken'],
    moves: (a) => ({ 'auth.accessUrl': `${a}/token` }),
    benign: { fromName: 'Acme' },
  },
  {
    name: 'sendgrid',
    factoryId: 'sendgrid',
    config: () => ({ apiKey: 'SG.stored-sendgrid-key-0001', fromEmail: 'auth@example.test' }),
    secrets: ['apiKey'],
    moves: (a) => ({ baseUrl: a, region: 'eu' }),
    benign: { fromName: 'Acme' },
  },
  {
    name: 'mailgun',
    factoryId: 'mailgun',
    config: () => ({ apiKey: 'stored-mailgun-key-0001', domain: 'mg.example.test', fromEmail: 'auth@mg.example.test' }),
    secrets: ['apiKey'],
    moves: (a) => ({ baseUrl: a, domain: 'mg.attacker.test', region: 'eu' }),
    benign: { fromName: 'Acme' },
  },
  {
    name: 'postmark',
    factoryId: 'postmark',
    config: () => ({ serverToken: 'stored-postmark-token-0001', fromEmail: 'auth@example.test' }),
    secrets: ['serverToken'],
    moves: (a) => ({ baseUrl: a }),
    benign: { messageStream: 'auth' },
  },
  {
    name: 'aws-ses',
    factoryId: 'aws-ses',
    config: () => ({
      accessKeyId: 'AKIASTOREDKEY00001',
      secretAccessKey: 'stored-ses-secret-0001',
      region: 'us-east-1',
      fromEmail: 'auth@example.test',
    }),
    secrets: ['secretAccessKey'],
    moves: (a) => ({ endpoint: a, region: 'eu-west-1' }),
    benign: { configurationSetName: 'auth' },
  },
  {
    name: 'aliyun-dm',
    factoryId: 'aliyun-dm',
    config: () => ({
      accessKeyId: 'LTAIstored0001',
      accessKeySecret: 'stored-aliyun-secret-0001',
      accountName: 'auth@example.test',
    }),
    secrets: ['accessKeySecret'],
    moves: (a) => ({ endpoint: a, regionId: 'eu-central-1' }),
    benign: { fromAlias: 'Acme' },
  },
  {
    name: 'resend',
    factoryId: 'resend',
    config: () => ({ apiKey: 're_stored_resend_key_0001', fromEmail: 'auth@example.test' }),
    secrets: ['apiKey'],
    moves: (a) => ({ baseUrl: a }),
    benign: { fromName: 'Acme' },
  },
];

function get(obj: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}
function set(obj: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(obj);
  const parts = path.split('.');
  let cur = copy;
  for (const p of parts.slice(0, -1)) cur = (cur[p] ??= {}) as Record<string, unknown>;
  cur[parts.at(-1)!] = value;
  return copy;
}

/** Destination paths as the API serves them: `"x-postern-destination": true` in the JSON Schema. */
function servedDestinations(schema: unknown, path: string[] = [], out = new Set<string>()): Set<string> {
  if (!schema || typeof schema !== 'object') return out;
  const n = schema as Record<string, unknown>;
  if (n['x-postern-destination'] === true) out.add(path.join('.'));
  for (const [k, v] of Object.entries((n.properties as Record<string, unknown>) ?? {}))
    servedDestinations(v, [...path, k], out);
  for (const key of ['anyOf', 'oneOf', 'allOf'])
    for (const v of (n[key] as unknown[]) ?? []) servedDestinations(v, path, out);
  return out;
}

describe.each(DIALECTS)('stored secrets and destination fields on %s', (dialect) => {
  let p: TestPostern;
  let attacker: HttpPeer;
  const stolen: PeerRequest[] = [];
  let url: string;
  beforeAll(async () => {
    p = await startPostern(
      dialect,
      { POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32' },
      { deliveryRules: { baseBackoffMs: 10 } },
    );
    attacker = await startHttpPeer((req) => {
      stolen.push(req);
      return { status: 200, body: { id: 'stolen' } };
    });
    url = attacker.url;
  });
  afterAll(async () => {
    await p?.close();
    await attacker?.close();
  });

  const stored = async () => (await p.services.stores.connectors.getEmailConnector('default'))!;
  const save = async (c: Case) => {
    const put = await p.api('PUT', '/api/connectors/email', { factoryId: c.factoryId, config: c.config(url) });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    for (const s of c.secrets) expect(get(put.body.config, s)).toMatch(/^••••/);
    return put.body as { id: string; config: Record<string, unknown> };
  };
  const expectRefused = (r: { status: number; body: any }, c: Case, prefix: string, moved: string) => {
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.code).toBe('connector.bad_config');
    expect(r.body.details.issues.map((i: { path: string }) => i.path).sort()).toEqual(
      c.secrets.map((s) => `${prefix}.${s}`).sort(),
    );
    expect(r.body.details.changedDestinations).toContain(moved);
    for (const s of c.secrets) expect(r.body.message).toContain(s);
    expect(JSON.stringify(r.body)).not.toContain('stored-');
  };

  it('every factory marks exactly its destination fields in the served JSON Schema', async () => {
    const byFactory = new Map<string, Set<string>>();
    for (const c of CASES) {
      const set = byFactory.get(c.factoryId) ?? new Set<string>();
      for (const k of Object.keys(c.moves(url))) set.add(k);
      byFactory.set(c.factoryId, set);
    }
    for (const [id, expected] of byFactory) {
      const f = (await p.api('GET', `/api/connector-factories/${id}`)).body;
      expect([...servedDestinations(f.configSchema)].sort(), id).toEqual([...expected].sort());
    }
    const builtin = (await p.api('GET', '/api/connector-factories/builtin')).body;
    expect([...servedDestinations(builtin.configSchema)]).toEqual([]);
  });

  for (const c of CASES) {
    it(`${c.name}: PATCH refuses a masked secret with a changed destination, keeps it otherwise`, async () => {
      for (const [path, value] of Object.entries(c.moves(url))) {
        const saved = await save(c);
        const before = await stored();
        const r = await p.api('PATCH', `/api/connectors/${saved.id}`, { config: set(saved.config, path, value) });
        expectRefused(r, c, 'config', path);
        // Nothing changed: not the destination, not the secret.
        const after = await stored();
        expect(after.config).toEqual(before.config);
        // Only the changed field in the patch (merge patch keeps the masked secrets implicitly): refused too.
        const partial = await p.api('PATCH', `/api/connectors/${saved.id}`, { config: set({}, path, value) });
        expect(partial.status, JSON.stringify(partial.body)).toBe(400);
        expect(partial.body.code).toBe('connector.bad_config');
        expect((await stored()).config).toEqual(before.config);
        // Replacing the whole config (PUT) with the masked secrets: refused the same way.
        expectRefused(
          await p.api('PUT', '/api/connectors/email', {
            factoryId: c.factoryId,
            config: set(saved.config, path, value),
          }),
          c,
          'config',
          path,
        );
        expect((await stored()).config).toEqual(before.config);
        // With every secret entered again the change goes through.
        let full = set(saved.config, path, value);
        for (const s of c.secrets) full = set(full, s, get(c.config(url), s));
        const ok = await p.api('PATCH', `/api/connectors/${saved.id}`, { config: full });
        expect(ok.status, JSON.stringify(ok.body)).toBe(200);
        expect(get((await stored()).config, path)).toEqual(value);
      }
      // A change elsewhere keeps the stored secrets.
      const saved = await save(c);
      const kept = await p.api('PATCH', `/api/connectors/${saved.id}`, { config: { ...saved.config, ...c.benign } });
      expect(kept.status, JSON.stringify(kept.body)).toBe(200);
      const after = await stored();
      for (const s of c.secrets) expect(get(after.config, s)).toBe(get(c.config(url), s));
    });

    it(`${c.name}: the test send refuses a masked secret with a changed destination and sends nothing`, async () => {
      const saved = await save(c);
      for (const [path, value] of Object.entries(c.moves(url))) {
        const r = await p.api('POST', '/api/connectors/test', {
          factoryId: c.factoryId,
          config: set(saved.config, path, value),
          to: 'someone@example.test',
        });
        expectRefused(r, c, 'config', path);
      }
      expect(stolen).toEqual([]);
    });

    it(`${c.name}: import refuses to reuse the target's secrets for a changed destination (dry run too)`, async () => {
      await save(c);
      const before = await stored();
      const bundle = (await p.api('GET', '/api/config/export')).body;
      expect(bundle.connector.omittedSecrets.sort()).toEqual([...c.secrets].sort());
      // Unchanged destinations: the target keeps its secrets.
      const same = await p.api('POST', '/api/config/import', { bundle, dryRun: true });
      expect(same.status, JSON.stringify(same.body)).toBe(200);
      const masked = (await p.api('GET', '/api/connectors')).body.items[0].config;
      for (const [path, value] of Object.entries(c.moves(url))) {
        const moved = structuredClone(bundle);
        moved.connector.config = set(moved.connector.config, path, value);
        for (const dryRun of [true, false]) {
          expectRefused(await p.api('POST', '/api/config/import', { bundle: moved, dryRun }), c, 'secrets', path);
        }
        // Masked values (a copy of what the API shows) are no secrets either.
        const withMasks = structuredClone(moved);
        for (const s of c.secrets) withMasks.connector.config = set(withMasks.connector.config, s, get(masked, s));
        delete withMasks.connector.omittedSecrets;
        expectRefused(
          await p.api('POST', '/api/config/import', { bundle: withMasks, dryRun: false }),
          c,
          'secrets',
          path,
        );
        expect((await stored()).config).toEqual(before.config);
        // Given in `secrets`, the move is allowed.
        const secrets = Object.fromEntries(c.secrets.map((s) => [s, get(c.config(url), s)]));
        const ok = await p.api('POST', '/api/config/import', { bundle: moved, secrets, dryRun: true });
        expect(ok.status, JSON.stringify(ok.body)).toBe(200);
      }
      expect(stolen).toEqual([]);
    });
  }
});
