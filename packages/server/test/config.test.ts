import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, ConfigError } from '../src/config.js';
import { loadMasterSecret } from '../src/secret-file.js';
import { Keyring } from '../src/lib/crypto.js';

describe('configuration', () => {
  it('has the SPEC defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3000, host: '127.0.0.1', publicUrl: 'http://localhost:3000', databaseUrl: 'sqlite:./data/postern.db', logLevel: 'info', dataDir: './data' });
    expect(c.redisUrl).toBeUndefined();
    expect(Object.isFrozen(c)).toBe(true);
    expect(c).toMatchObject({ requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000 });
  });

  it('reads the timeouts, and keeps the headers timeout within the request timeout', () => {
    expect(loadConfig({ POSTERN_REQUEST_TIMEOUT_MS: '5000', POSTERN_HEADERS_TIMEOUT_MS: '2000', POSTERN_KEEP_ALIVE_TIMEOUT_MS: '1000' })).toMatchObject({ requestTimeoutMs: 5000, headersTimeoutMs: 2000, keepAliveTimeoutMs: 1000 });
    // Only the request timeout set, below the headers default: the headers one follows it.
    expect(loadConfig({ POSTERN_REQUEST_TIMEOUT_MS: '5000' }).headersTimeoutMs).toBe(5000);
    expect(() => loadConfig({ POSTERN_REQUEST_TIMEOUT_MS: '5000', POSTERN_HEADERS_TIMEOUT_MS: '6000' })).toThrow(/POSTERN_HEADERS_TIMEOUT_MS: must not exceed/);
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x'],
    ['REDIS_URL', 'http://x'],
    ['POSTERN_PUBLIC_URL', 'ftp://x'],
    ['POSTERN_BUILTIN_RELAY', 'http://relay'],
    ['LOG_LEVEL', 'loud'],
    ['POSTERN_DNS_SERVERS', 'dns.example'],
    ['POSTERN_ADMIN_KEY', 'short'],
    ['POSTERN_REQUEST_TIMEOUT_MS', 'soon'],
    ['POSTERN_HEADERS_TIMEOUT_MS', '0'],
    ['POSTERN_KEEP_ALIVE_TIMEOUT_MS', '99999999'],
    ['POSTERN_CAPTCHA_WIDGET_ORIGIN', 'https://widgets.example/path'],
    ['POSTERN_CAPTCHA_WIDGET_ORIGIN', 'javascript:alert(1)'],
  ])('names the variable when %s=%s is bad', (name, value) => {
    let err: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).variable).toBe(name);
    expect((err as Error).message.startsWith(`${name}: `)).toBe(true);
  });

  it('parses lists and the trusted proxies', () => {
    const c = loadConfig({ POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32, mail.internal', POSTERN_DNS_SERVERS: '127.0.0.1:5353,1.1.1.1', POSTERN_TRUST_PROXY: '2', POSTERN_PUBLIC_URL: 'https://auth.example.com/' });
    expect(c.outboundAllow).toEqual(['127.0.0.1/32', 'mail.internal']);
    expect(c.dnsServers).toEqual(['127.0.0.1:5353', '1.1.1.1']);
    expect(c.trustProxy).toBe(2);
    expect(c.publicUrl).toBe('https://auth.example.com');
    expect(loadConfig({ POSTERN_TRUST_PROXY: '10.0.0.0/8' }).trustProxy).toEqual(['10.0.0.0/8']);
    expect(loadConfig({ POSTERN_CAPTCHA_WIDGET_ORIGIN: 'http://127.0.0.1:8123/' }).captchaWidgetOrigin).toBe('http://127.0.0.1:8123');
    expect(loadConfig({}).captchaWidgetOrigin).toBeUndefined();
  });
});

describe('master secret', () => {
  it('is generated once into the data dir with mode 0600, then reused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'postern-secret-'));
    try {
      const first = loadMasterSecret(undefined, dir);
      expect(first.generated).toBe(true);
      expect(statSync(join(dir, 'secret')).mode & 0o777).toBe(0o600);
      const second = loadMasterSecret(undefined, dir);
      expect(second.generated).toBe(false);
      expect(second.secret.equals(first.secret)).toBe(true);
      expect(readFileSync(join(dir, 'secret'), 'utf8').trim().length).toBeGreaterThan(40);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a short POSTERN_SECRET', () => {
    expect(() => loadMasterSecret('abc', '/nonexistent')).toThrow(/POSTERN_SECRET/);
    expect(loadMasterSecret('a'.repeat(64), '/nonexistent').secret).toHaveLength(32);
  });
});

describe('keyring', () => {
  it('encrypts with AES-256-GCM, binds to the associated data, and decrypts after rotation', () => {
    const a = Buffer.alloc(32, 1);
    const b = Buffer.alloc(32, 2);
    const old = new Keyring([a]);
    const ct = old.encrypt('secret value', 'tenant/1');
    expect(ct).not.toContain('secret value');
    expect(old.decrypt(ct, 'tenant/1')).toBe('secret value');
    expect(() => old.decrypt(ct, 'tenant/2')).toThrow();
    const rotated = new Keyring([b, a]);
    expect(rotated.decrypt(ct, 'tenant/1')).toBe('secret value');
    expect(rotated.encrypt('x').split('.')[1]).toBe(rotated.currentKid);
    expect(() => new Keyring([b]).decrypt(ct, 'tenant/1')).toThrow(/POSTERN_SECRET_PREVIOUS/);
  });
});
