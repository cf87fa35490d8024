import { describe, expect, it } from 'vitest';
import { MemoryRateLimits } from './rate-limits.js';
import type { Bucket } from '../core/codes/ports.js';

/** The in-process limiter with a hand-moved clock. */
function limiter() {
  let now = 1_000_000;
  const l = new MemoryRateLimits(() => now, 60_000);
  return { l, advance: (ms: number) => (now += ms) };
}
const bucket = (over: Partial<Bucket> = {}): Bucket => ({ name: 'recipient-hour', key: 'a@example.test', points: 3, durationSeconds: 60, ...over });

describe('MemoryRateLimits', () => {
  it('counts a fixed window from the first event and refuses beyond the limit with the time left', async () => {
    const { l, advance } = limiter();
    const b = bucket();
    expect(await l.hit(b)).toEqual({ allowed: true, retryAfter: 0, remaining: 2 });
    advance(10_000);
    await l.hit(b);
    expect(await l.hit(b)).toEqual({ allowed: true, retryAfter: 0, remaining: 0 });
    expect(await l.hit(b)).toEqual({ allowed: false, retryAfter: 50, remaining: 0 });
    expect((await l.peek(b)).allowed).toBe(false);
    advance(50_000);
    expect(await l.hit(b)).toEqual({ allowed: true, retryAfter: 0, remaining: 2 });
    await l.close();
  });

  it('keeps keys, names and bucket shapes apart', async () => {
    const { l } = limiter();
    await l.hit(bucket({ points: 1 }));
    expect((await l.hit(bucket({ points: 1 }))).allowed).toBe(false);
    expect((await l.hit(bucket({ points: 1, key: 'b@example.test' }))).allowed).toBe(true);
    expect((await l.hit(bucket({ points: 1, name: 'ip-hour' }))).allowed).toBe(true);
    expect((await l.hit(bucket({ points: 2 }))).allowed).toBe(true);
    await l.close();
  });

  it('blocks for blockSeconds from the first refused event', async () => {
    const { l, advance } = limiter();
    const b = bucket({ points: 1, durationSeconds: 60, blockSeconds: 600 });
    await l.hit(b);
    advance(30_000);
    expect(await l.hit(b)).toEqual({ allowed: false, retryAfter: 600, remaining: 0 });
    advance(100_000); // past the window, inside the block
    expect(await l.hit(b)).toEqual({ allowed: false, retryAfter: 500, remaining: 0 });
    advance(500_000);
    expect((await l.hit(b)).allowed).toBe(true);
    await l.close();
  });

  it('undo takes back one event; block refuses for the given time', async () => {
    const { l, advance } = limiter();
    const b = bucket({ points: 1 });
    await l.hit(b);
    await l.undo(b);
    expect((await l.peek(b)).allowed).toBe(true);
    await l.block(bucket({ name: 'lockout' }), 120);
    expect(await l.peek(bucket({ name: 'lockout' }))).toEqual({ allowed: false, retryAfter: 120, remaining: 0 });
    advance(120_000);
    expect((await l.peek(bucket({ name: 'lockout' }))).allowed).toBe(true);
    await l.close();
  });

  it('the sweep drops expired counters and keeps live ones', async () => {
    const { l, advance } = limiter();
    for (let i = 0; i < 100; i++) await l.hit(bucket({ key: `u${i}@example.test` }));
    advance(30_000);
    for (let i = 0; i < 10; i++) await l.hit(bucket({ key: `v${i}@example.test` }));
    expect(l.size).toBe(110);
    advance(31_000); // the first 100 have run out, the last 10 have not
    l.sweep();
    expect(l.size).toBe(10);
    expect((await l.peek(bucket({ key: 'v0@example.test' }))).remaining).toBe(2);
    await l.close();
  });
});
