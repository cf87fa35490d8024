import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { startPostern, type TestPostern } from '../helpers.js';

/**
 * Random JSON, and JSON shaped like a webhook, at every /api/webhooks route: the answer is
 * always a 2xx or a 4xx in the SPEC's error shape, never a 500.
 */
let p: TestPostern;
let id = '';

/** URLs that need no DNS lookup of a random name (local, literal, or malformed). */
const URLS = [
  'http://127.0.0.1:9/hook',
  'https://127.0.0.1/hook',
  'https://[::ffff:127.0.0.1]/',
  'https://[::ffff:10.0.0.1]/',
  'https://0x7f.1/',
  'https://2130706433/',
  'http://127.0.0.1:0/',
  'http://127.0.0.1:99999/',
  'https://localhost/',
  'javascript:alert(1)',
  'data:text/plain,hi',
  'file:///etc/passwd',
  'https://%00/',
  'http://[zz]/',
  'https://user:pass@127.0.0.1/',
  '',
  ' ',
  'https://127.0.0.1/\r\nX-Evil: 1',
  `https://127.0.0.1/${'a'.repeat(3000)}`,
];
const EVENTS = ['email.sent', 'email.bounced', 'user.created', 'webhook.test', '*', '', 'EMAIL.SENT'];

const json = fc.jsonValue({ maxDepth: 3 });
const shaped = fc.record(
  {
    url: fc.oneof(fc.constantFrom(...URLS), json),
    events: fc.oneof(fc.array(fc.constantFrom(...EVENTS), { maxLength: 30 }), json),
    enabled: fc.oneof(fc.boolean(), json),
    extra: json,
  },
  { requiredKeys: [] },
);
const body = fc.oneof(json, shaped);
const ids = fc.oneof(
  fc.constantFrom('wh_x', 'whd_x', '%00', '..%2F..', 'a'.repeat(150)),
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
);

beforeAll(async () => {
  p = await startPostern('sqlite', { POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32' }, { outboxWorker: false });
  const made = await p.api('POST', '/api/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['email.sent'] });
  expect(made.status).toBe(201);
  id = made.body.id;
});
afterAll(async () => {
  await p?.close();
});

function check(label: string, res: { status: number; body: any }) {
  expect(res.status, label).toBeLessThan(500);
  if (res.status >= 400) {
    expect(typeof res.body?.code, label).toBe('string');
    expect(typeof res.body?.message, label).toBe('string');
  }
}

describe('webhook routes under random input', () => {
  it('POST /api/webhooks and PATCH /api/webhooks/:id never answer 500', async () => {
    await fc.assert(
      fc.asyncProperty(body, fc.boolean(), async (b, patch) => {
        const res = patch
          ? await p.api('PATCH', `/api/webhooks/${id}`, JSON.stringify(b))
          : await p.api('POST', '/api/webhooks', JSON.stringify(b));
        check(`${patch ? 'PATCH' : 'POST'} ${JSON.stringify(b).slice(0, 200)}`, res);
        if (res.status === 201) await p.api('DELETE', `/api/webhooks/${res.body.id}`);
      }),
      { numRuns: 150 },
    );
  });

  it('every route with random ids, queries and bodies never answers 500', async () => {
    const routes = (wid: string, did: string): Array<[string, string]> => [
      ['GET', `/api/webhooks/${wid}`],
      ['PATCH', `/api/webhooks/${wid}`],
      ['POST', `/api/webhooks/${wid}/secret`],
      ['POST', `/api/webhooks/${wid}/test`],
      ['GET', `/api/webhooks/${wid}/deliveries`],
      ['POST', `/api/webhooks/${wid}/deliveries/${did}/redeliver`],
      ['DELETE', `/api/webhooks/${wid}`],
    ];
    const query = fc.constantFrom('', '?limit=0', '?limit=abc', '?cursor=%00', '?cursor=eyJ4IjoxfQ', '?limit=200');
    await fc.assert(
      fc.asyncProperty(ids, ids, query, fc.option(json), async (wid, did, q, b) => {
        for (const [method, path] of routes(wid, did)) {
          const res = await p.api(method, `${path}${q}`, b === null ? undefined : JSON.stringify(b));
          check(`${method} ${path}${q}`, res);
        }
        const list = await p.api('GET', `/api/webhooks${q}`);
        check(`GET /api/webhooks${q}`, list);
      }),
      { numRuns: 60 },
    );
    // The real endpoint still answers.
    expect((await p.api('GET', `/api/webhooks/${id}`)).status).toBe(200);
  });
});
