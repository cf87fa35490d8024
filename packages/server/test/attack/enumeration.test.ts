import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../identity/setup.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const shape = (b: Record<string, unknown> | undefined) => Object.fromEntries(Object.entries(b ?? {}).map(([k, v]) => [k, typeof v]));
const VOLATILE = new Set(['date', 'content-length', 'x-request-id']);

/**
 * Known vs unknown addresses: identical status, header names and body shape, and similar
 * medians (a property with a generous bound on a busy 2-core machine, not a benchmark).
 */
describe('enumeration through timing, bodies and headers', () => {
  let w: World;
  const known = 'timing.known@example.test';
  beforeAll(async () => {
    w = await startWorld('sqlite');
    expect((await w.p.api('PATCH', '/api/verification-code-policy', { lockout: { maxFailures: 10000, windowSeconds: 3600, lockSeconds: 60 } })).status).toBe(200);
    expect((await w.p.api('POST', '/api/users', { email: known, password: 'timing known password' })).status).toBe(201);
  });
  afterAll(async () => {
    await w?.close();
  });

  const cases: Array<[string, string, (email: string) => unknown]> = [
    ['forgot-password code', '/api/experience/verification-codes', (email) => ({ email, intent: 'forgot-password' })],
    ['sign-in code', '/api/experience/verification-codes', (email) => ({ email, intent: 'sign-in' })],
    ['password sign-in', '/api/experience/sign-in/password', (email) => ({ email, password: 'not the password' })],
  ];

  for (const [name, url, body] of cases) {
    it(`${name}: same answer and similar timing for known and unknown addresses`, async () => {
      const times: Record<'known' | 'unknown', number[]> = { known: [], unknown: [] };
      const answers: Record<'known' | 'unknown', Array<{ status: number; headers: string[]; shape: unknown }>> = { known: [], unknown: [] };
      for (let i = 0; i < 30; i++) {
        // Interleaved, so that a slow moment of the machine hits both sides alike.
        for (const side of i % 2 ? (['known', 'unknown'] as const) : (['unknown', 'known'] as const)) {
          const email = side === 'known' ? known : `timing.unknown${i}@example.test`;
          const t0 = performance.now();
          const r = await w.pub('POST', url, body(email));
          times[side].push(performance.now() - t0);
          answers[side].push({ status: r.status, headers: Object.keys(r.headers).filter((h) => !VOLATILE.has(h)).sort(), shape: shape(r.body) });
        }
      }
      expect(answers.unknown[0]).toEqual(answers.known[0]);
      expect(new Set(answers.known.concat(answers.unknown).map((a) => JSON.stringify(a))).size).toBe(1);
      const mk = median(times.known);
      const mu = median(times.unknown);
      expect(Math.abs(mk - mu), `medians ${mk.toFixed(1)} ms vs ${mu.toFixed(1)} ms`).toBeLessThan(Math.max(mk, mu) * 0.5 + 10);
    }, 60_000);
  }
});
