import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { migrate, openDatabase, type Db } from '../src/storage/db.js';
import { FlexibleRateLimits } from '../src/storage/rate-limits.js';
import type { Bucket } from '../src/core/codes/ports.js';
import { PG_URL, dropSchema } from './helpers.js';

// hitAll on PostgreSQL is one upsert for all buckets; it must leave the table exactly as
// `hit` on each in turn would, stopping at the first refusal.
describe('shared rate limits on PostgreSQL: hitAll', () => {
  const schema = `rl_${randomBytes(6).toString('hex')}`;
  let db: Db;
  let limits: FlexibleRateLimits;
  let n = 0;
  const bucket = (name: string, points: number): Bucket => ({
    name,
    key: `k${n}@example.test`,
    points,
    durationSeconds: 3600,
  });

  beforeAll(async () => {
    db = openDatabase(PG_URL, { schema });
    await migrate(db, schema);
    limits = new FlexibleRateLimits({ kind: 'postgres', pool: db.pool! });
  });
  afterAll(async () => {
    await db.close();
    await dropSchema(schema);
  });

  const rows = async () =>
    Number((await db.pool!.query<{ n: string }>('select count(*) as n from rate_limits')).rows[0]!.n);

  it('counts one event in every bucket, as hit does, with the points left', async () => {
    n++;
    const [a, b] = [bucket('recipient-hour', 3), bucket('ip-hour', 5)];
    expect(await limits.hitAll([a, b])).toEqual([
      { allowed: true, retryAfter: 0, remaining: 2 },
      { allowed: true, retryAfter: 0, remaining: 4 },
    ]);
    await limits.hit(a);
    expect(await limits.peek(a)).toMatchObject({ allowed: true, remaining: 1 });
    expect(await limits.peek(b)).toMatchObject({ allowed: true, remaining: 4 });
  });

  it('stops at the first refusal: the refused bucket keeps its point, the ones after it are left as they were', async () => {
    n++;
    const first = bucket('cooldown', 1);
    const fresh = bucket('recipient-hour', 10);
    const counting = bucket('ip-hour', 10);
    await limits.hit(first);
    await limits.hit(counting);
    const before = await rows();
    const out = await limits.hitAll([first, fresh, counting]);
    expect(out).toHaveLength(1);
    expect(out[0]!.allowed).toBe(false);
    expect(out[0]!.retryAfter).toBeGreaterThan(3500);
    // The window the batch started for `fresh` is gone; `counting` has its one earlier event.
    expect(await rows()).toBe(before);
    expect(await limits.peek(fresh)).toEqual({ allowed: true, retryAfter: 0, remaining: 10 });
    expect(await limits.peek(counting)).toMatchObject({ allowed: true, remaining: 9 });
    expect(await limits.peek(first)).toMatchObject({ allowed: false });
  });

  it('a refusal in the middle: earlier buckets stay counted (the caller gives them back)', async () => {
    n++;
    const a = bucket('recipient-hour', 5);
    const b = bucket('cooldown', 1);
    await limits.hit(b);
    const out = await limits.hitAll([a, b]);
    expect(out.map((r) => r.allowed)).toEqual([true, false]);
    expect(await limits.peek(a)).toMatchObject({ remaining: 4 });
  });
});
