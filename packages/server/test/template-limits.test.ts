import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostern, type TestPostern } from './helpers.js';

/** One HTTP request over a real socket, so that a blocked event loop would show as no answer. */
function call(
  base: string,
  method: string,
  path: string,
  key: string,
  body?: unknown,
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      `${base}${path}`,
      {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const NESTED = '{{#if code}}'.repeat(20_000) + '{{code}}' + '{{/if}}'.repeat(20_000);
const UNCLOSED = '{{#if code}}'.repeat(6_000);
const DEEP_SMALL = '<p>{{code}}</p>\n' + '{{#if code}}'.repeat(40) + 'x' + '{{/if}}'.repeat(40);
const EACH_BOMB = '{{#each @root}}'.repeat(6) + '{{@key}}' + '{{/each}}'.repeat(6);

describe('templates that would hold the event loop', () => {
  let p: TestPostern;
  let base: string;
  beforeAll(async () => {
    p = await startPostern('sqlite');
    await p.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(p.app.server.address() as AddressInfo).port}`;
    const tenant = await p.api('POST', '/api/tenants', { id: 'other', name: 'Other', type: 'development' });
    expect(tenant.status).toBe(201);
  });
  afterAll(async () => {
    await p?.close();
  });

  it.each([
    ['20,000 nested {{#if}}', NESTED],
    ['6,000 unclosed blocks', UNCLOSED],
    ['blocks nested 40 deep', DEEP_SMALL],
    ['nested {{#each}} over the root', EACH_BOMB],
  ])('refuses %s on preview, save and import with 422 template.invalid', async (_name, html) => {
    const preview = await p.api('POST', '/api/email-templates/preview', {
      locale: 'en',
      templateType: 'SignIn',
      subject: 'x',
      html,
    });
    expect(preview.status, JSON.stringify(preview.body).slice(0, 300)).toBe(422);
    expect(preview.body.code).toBe('template.invalid');
    expect(preview.body.details).toMatchObject({ field: 'html', line: expect.any(Number), column: expect.any(Number) });

    const save = await p.api('PUT', '/api/email-templates/en/SignIn', { subject: 'x', html });
    expect(save.status).toBe(422);
    expect(save.body.code).toBe('template.invalid');
    expect((await p.api('GET', '/api/email-templates?locale=en&templateType=SignIn')).body.items[0].isDefault).toBe(
      true,
    );

    const bundle = (await p.api('GET', '/t/other/api/config/export')).body;
    bundle.templates = [
      { locale: 'en', templateType: 'SignIn', subject: 'x', html, text: null, replyTo: null, senderName: null },
    ];
    for (const dryRun of [true, false]) {
      const imported = await p.api('POST', '/t/other/api/config/import', { bundle, dryRun });
      expect(imported.status).toBe(422);
      expect(imported.body.code).toBe('template.invalid');
    }
    expect(
      (await p.api('GET', '/t/other/api/email-templates?locale=en&templateType=SignIn')).body.items[0].isDefault,
    ).toBe(true);
  });

  it('answers an oversized part with 422 template.invalid too, not a bare validation error', async () => {
    const html = '<p>{{code}}</p>' + 'x'.repeat(300_000);
    const save = await p.api('PUT', '/api/email-templates/en/SignIn', { subject: 'x', html });
    expect(save.status).toBe(422);
    expect(save.body.details).toMatchObject({ field: 'html', line: 1, column: 1 });
    expect(save.body.details.reason).toMatch(/at most 131072/);
    const preview = await p.api('POST', '/api/email-templates/preview', { locale: 'en', templateType: 'SignIn', text: html });
    expect(preview.status).toBe(422);
    expect(preview.body.details).toMatchObject({ field: 'text' });
  });

  it('keeps /healthz and other tenants answering while such templates are submitted', async () => {
    const attacks = [NESTED, UNCLOSED, NESTED, UNCLOSED].map((html) =>
      call(base, 'POST', '/api/email-templates/preview', p.adminKey, {
        locale: 'en',
        templateType: 'SignIn',
        subject: 'x',
        html,
      }),
    );
    const health = [1, 2, 3].map(() => call(base, 'GET', '/healthz', p.adminKey));
    const otherTenant = call(base, 'GET', '/t/other/api/email-templates?locale=en&templateType=SignIn', p.adminKey);
    const [a, h, o] = await Promise.all([Promise.all(attacks), Promise.all(health), otherTenant]);
    expect(a.map((r) => r.status)).toEqual([422, 422, 422, 422]);
    expect(h.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(o.status).toBe(200);
  });

  it('still accepts a template at the nesting limit and renders it', async () => {
    const html = '{{#if code}}'.repeat(16) + '<b>{{code}}</b>' + '{{/if}}'.repeat(16);
    const r = await p.api('POST', '/api/email-templates/preview', {
      locale: 'en',
      templateType: 'SignIn',
      subject: 'x',
      html,
    });
    expect(r.status).toBe(200);
    expect(r.body.html).toBe('<b>482913</b>');
  });
});
