import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAliyunDmPeer } from '../src/testing/peers/aliyun-dm.js';
import { startPostern, type TestPostern } from './helpers.js';

const CONTROLS = ['\u0000', '\u001b', '\u007f', '\r\n', '\t', '\u0085', '\u2028'];

/** Addresses, domains, URLs and names in connector and deliverability inputs refuse control characters. */
describe('connector and deliverability inputs', () => {
  let p: TestPostern;
  let aliyun: Awaited<ReturnType<typeof startAliyunDmPeer>>;
  beforeAll(async () => {
    p = await startPostern(
      'sqlite',
      { POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32' },
      { deliveryRules: { baseBackoffMs: 10 } },
    );
    aliyun = await startAliyunDmPeer();
  });
  afterAll(async () => {
    await p?.close();
    await aliyun?.close();
  });

  it('POST /api/connectors/test refuses a "to" with control characters like every other address', async () => {
    for (const c of CONTROLS) {
      const to = `victim${c}@example.test`;
      const r = await p.api('POST', '/api/connectors/test', { factoryId: 'builtin', config: {}, to });
      expect(r.status, JSON.stringify({ c, body: r.body })).toBe(400);
      expect(r.body.code).toBe('request.invalid');
      expect(r.body.details.issues[0].path).toBe('to');
    }
    for (const to of ['a@b', '"q"@example.test', 'Name <a@example.test>', 'a@example.test,b@example.test']) {
      expect((await p.api('POST', '/api/connectors/test', { factoryId: 'builtin', config: {}, to })).status, to).toBe(
        400,
      );
    }
    expect((await p.api('GET', '/api/mailbox')).body.items).toEqual([]);
    // The address is normalised as elsewhere: the domain in lower-case ASCII.
    const ok = await p.api('POST', '/api/connectors/test', {
      factoryId: 'builtin',
      config: {},
      to: 'Ann@Bücher.Example',
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect((await p.api('GET', '/api/mailbox')).body.items.map((m: { to: string }) => m.to)).toEqual([
      'Ann@xn--bcher-kva.example',
    ]);
  });

  it('refuses a DKIM key domain or selector with control characters instead of storing a different name', async () => {
    for (const c of CONTROLS) {
      for (const domain of [`example.com${c}x`, `exa${c}mple.com`, `example.com${c}`]) {
        const r = await p.api('POST', '/api/dkim-keys', { domain, selector: 'auth1' });
        expect(r.status, JSON.stringify({ domain, body: r.body })).toBe(400);
        expect(r.body.code).toBe('request.invalid');
      }
      expect((await p.api('POST', '/api/dkim-keys', { domain: 'example.com', selector: `auth${c}1` })).status).toBe(
        400,
      );
      const check = await p.api('POST', '/api/deliverability/check', { domain: `example.com${c}x` });
      expect(check.status, JSON.stringify(check.body)).toBe(400);
    }
    expect((await p.api('GET', '/api/dkim-keys')).body.items).toEqual([]);
  });

  it('refuses control characters in connector URLs, host names, user names and sender names', async () => {
    const bad: Array<[string, Record<string, unknown>, string]> = [
      ['http', { endpoint: 'https://hooks.exa\r\nmple.test/x' }, 'config.endpoint'],
      ['http', { endpoint: 'https://hooks.example.test/a\u0000b' }, 'config.endpoint'],
      [
        'sendgrid',
        { apiKey: 'SG.x', fromEmail: 'a@example.test', baseUrl: 'https://api.send\tgrid.com' },
        'config.baseUrl',
      ],
      ['sendgrid', { apiKey: 'SG.x', fromEmail: 'a@example.test', fromName: 'Acme\u0000' }, 'config.fromName'],
      [
        'aws-ses',
        {
          accessKeyId: 'AKIAEXAMPLE0000001',
          secretAccessKey: 's',
          region: 'us-east-1',
          fromEmail: 'a@example.test',
          endpoint: 'https://email.us-east-1.amazon\naws.com',
        },
        'config.endpoint',
      ],
      [
        'aliyun-dm',
        { accessKeyId: 'LTAI', accessKeySecret: 's', accountName: 'a@example.test', fromAlias: 'Ac\u001bme' },
        'config.fromAlias',
      ],
      [
        'smtp',
        {
          host: 'smtp.example.test',
          fromEmail: 'a@example.test',
          auth: { type: 'login', user: 'u\u0000ser', pass: 'p' },
        },
        'config.auth.user',
      ],
      ['smtp', { host: 'smtp.example.test', fromEmail: 'a@example.test', fromName: 'Acme\u007f' }, 'config.fromName'],
      [
        'smtp',
        { host: 'smtp.example.test', fromEmail: 'a@example.test', tls: { servername: 'smtp.example.test\r\n' } },
        'config.tls.servername',
      ],
      [
        'smtp',
        {
          host: 'smtp.example.test',
          fromEmail: 'a@example.test',
          auth: {
            type: 'oauth2',
            user: 'u',
            clientId: 'c',
            clientSecret: 's',
            refreshToken: 'r',
            accessUrl: 'https://oauth2.exa\tmple.test/token',
          },
        },
        'config.auth.accessUrl',
      ],
      ['builtin', { logoUrl: 'https://cdn.example.test/lo\ngo.png' }, 'config.logoUrl'],
    ];
    for (const [factoryId, config, path] of bad) {
      const r = await p.api('POST', '/api/connectors/test', { factoryId, config, to: 'a@example.test' });
      expect(r.status, JSON.stringify({ factoryId, config, body: r.body })).toBe(400);
      expect(r.body.code).toBe('connector.bad_config');
      expect(r.body.details.issues.map((i: { path: string }) => i.path)).toContain(path);
    }
  });

  it('refuses a template replyTo or senderName with any control character (422 template.invalid)', async () => {
    for (const c of ['\u001b', '\u007f', '\u0000', '\u2028']) {
      for (const field of ['replyTo', 'senderName']) {
        const value = field === 'replyTo' ? `help${c}@example.test` : `Acme${c}`;
        const r = await p.api('PUT', '/api/email-templates/en/Generic', {
          subject: 'Code {{code}}',
          html: '<p>{{code}}</p>',
          [field]: value,
        });
        expect(r.status, JSON.stringify({ field, c, body: r.body })).toBe(422);
        expect(r.body.code).toBe('template.invalid');
      }
    }
  });

  it('answers DirectMail throttling with 429 connector.rate_limited, details.retryAfter and Retry-After', async () => {
    aliyun.rateLimited = true;
    try {
      for (const throttle of ['Throttling.User', 'Throttling.Api']) {
        aliyun.throttleCode = throttle;
        const r = await p.api('POST', '/api/connectors/test', {
          factoryId: 'aliyun-dm',
          config: {
            accessKeyId: aliyun.accessKeyId,
            accessKeySecret: aliyun.accessKeySecret,
            accountName: 'noreply@example.test',
            endpoint: aliyun.url,
          },
          to: 'user@example.test',
        });
        expect(r.status, JSON.stringify(r.body)).toBe(429);
        expect(r.body.code).toBe('connector.rate_limited');
        expect(r.body.details).toMatchObject({ retryAfter: 1, providerErrorCode: throttle, providerStatus: 400 });
        expect(r.headers['retry-after']).toBe('1');
      }
    } finally {
      aliyun.rateLimited = false;
      aliyun.throttleCode = 'Throttling.User';
    }
  });
});
