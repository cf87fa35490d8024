import { createHash } from 'node:crypto';
import { RateLimiterPostgres, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { AppError } from '../core/errors.js';
import type { Bucket, LimitResult, RateLimits } from '../core/codes/ports.js';

export type LimiterStore =
  /** `now`: the limiter's clock (tests move it by hand); default `Date.now`. */
  | { kind: 'memory'; now?: () => number }
  | { kind: 'postgres'; pool: pg.Pool } | { kind: 'redis'; url: string };

export type RateLimitStore = RateLimits & { ready(timeoutMs?: number): Promise<boolean>; ping(): Promise<void> };

/** The limiter for a store: in-process for `memory`, rate-limiter-flexible for the shared ones. */
export async function createRateLimits(store: LimiterStore): Promise<RateLimitStore> {
  if (store.kind === 'memory') return new MemoryRateLimits(store.now);
  // ioredis is loaded only when Redis is configured.
  const redis = store.kind === 'redis' ? await connectRedis(store.url) : undefined;
  return new FlexibleRateLimits(store, redis);
}

async function connectRedis(url: string): Promise<Redis> {
  const { Redis } = await import('ioredis');
  // Bounded: a limiter call that cannot reach Redis must fail (503), never hang.
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 1_000,
    connectTimeout: 2_000,
    lazyConnect: false,
  });
  redis.on('error', () => undefined);
  return redis;
}

interface Counter {
  /** Events counted in the current window (more than the limit once refused or blocked). */
  points: number;
  /** When the window (or the block) ends, in ms since the epoch. */
  endsAt: number;
}

/**
 * In-process limits for a single instance, with rate-limiter-flexible's memory semantics
 * (fixed window from the first event; exceeding it with `blockSeconds` set blocks for that
 * long). It keeps one small record per key and no timer per key: RateLimiterMemory arms a
 * timer for every key, which at a thousand sends a second was most of the process's live
 * memory. Every bucket shape has its own Map, so within one Map insertion order is expiry
 * order (a key is moved to the end whenever its window restarts), and a sweep drops expired
 * entries from the front.
 */
export class MemoryRateLimits implements RateLimitStore {
  private readonly windows = new Map<string, Map<string, Counter>>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly now: () => number = Date.now,
    sweepEveryMs = 10_000,
  ) {
    this.sweeper = setInterval(() => this.sweep(), sweepEveryMs);
    this.sweeper.unref();
  }

  private map(b: Bucket): Map<string, Counter> {
    const id = `${b.name}:${b.points}:${b.durationSeconds}:${b.blockSeconds ?? 0}`;
    let m = this.windows.get(id);
    if (!m) this.windows.set(id, (m = new Map()));
    return m;
  }

  /** The live counter of a key, or undefined when it has none or it has run out. */
  private live(m: Map<string, Counter>, key: string, now: number): Counter | undefined {
    const c = m.get(key);
    if (c && c.endsAt > now) return c;
    if (c) m.delete(key);
    return undefined;
  }

  private restart(m: Map<string, Counter>, key: string, points: number, ms: number, now: number): Counter {
    m.delete(key);
    const c = { points, endsAt: now + ms };
    m.set(key, c);
    return c;
  }

  async hit(b: Bucket): Promise<LimitResult> {
    const m = this.map(b);
    const key = shortKey(b.key);
    const now = this.now();
    const c = this.live(m, key, now);
    if (!c) {
      this.restart(m, key, 1, b.durationSeconds * 1000, now);
      return { allowed: true, retryAfter: 0, remaining: b.points - 1 };
    }
    c.points++;
    if (c.points <= b.points) return { allowed: true, retryAfter: 0, remaining: b.points - c.points };
    return this.refuse(m, key, b, now);
  }

  async hitAll(buckets: readonly Bucket[]): Promise<LimitResult[]> {
    return hitInTurn(this, buckets);
  }

  private refuse(m: Map<string, Counter>, key: string, b: Bucket, now: number): LimitResult {
    let c = m.get(key)!;
    // The first event over the limit starts the block, as rate-limiter-flexible does.
    if (b.blockSeconds && c.points === b.points + 1) c = this.restart(m, key, c.points, b.blockSeconds * 1000, now);
    return { allowed: false, retryAfter: Math.max(1, Math.ceil((c.endsAt - now) / 1000)), remaining: 0 };
  }

  async peek(b: Bucket): Promise<LimitResult> {
    const now = this.now();
    const c = this.live(this.map(b), shortKey(b.key), now);
    if (c && c.points >= b.points)
      return { allowed: false, retryAfter: Math.max(1, Math.ceil((c.endsAt - now) / 1000)), remaining: 0 };
    return { allowed: true, retryAfter: 0, remaining: b.points - (c?.points ?? 0) };
  }

  async undo(b: Bucket): Promise<void> {
    const c = this.live(this.map(b), shortKey(b.key), this.now());
    if (c) c.points--;
  }

  async block(b: Bucket, seconds: number): Promise<void> {
    const m = this.map(b);
    this.restart(m, shortKey(b.key), b.points + 1, seconds * 1000, this.now());
  }

  /** Drops expired counters; stops at the first live one of each Map (the rest end later). */
  sweep(): void {
    const now = this.now();
    for (const m of this.windows.values()) {
      for (const [key, c] of m) {
        if (c.endsAt > now) break;
        m.delete(key);
      }
    }
  }

  /** Counters held, for tests. */
  get size(): number {
    let n = 0;
    for (const m of this.windows.values()) n += m.size;
    return n;
  }

  async ready(): Promise<boolean> {
    return true;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    clearInterval(this.sweeper);
  }
}

/** `hit` on each bucket in turn, stopping at the first refusal. */
async function hitInTurn(limits: Pick<RateLimits, 'hit'>, buckets: readonly Bucket[]): Promise<LimitResult[]> {
  const out: LimitResult[] = [];
  for (const b of buckets) {
    const r = await limits.hit(b);
    out.push(r);
    if (!r.allowed) break;
  }
  return out;
}

/**
 * Several hits as one upsert into rate-limiter-flexible's table, with its semantics per row
 * (a fixed window from the first event: an expired window restarts at one point, a live one
 * counts one more). Used for buckets without `blockSeconds` (no block to start on a refusal).
 */
const HIT_ALL = {
  name: 'postern-rate-limits-hit-all',
  text: `insert into rate_limits (key, points, expire)
    select k, 1, e from unnest($1::varchar[], $2::bigint[]) as t(k, e)
    on conflict (key) do update set
      points = case when rate_limits.expire <= $3 then 1 else rate_limits.points + 1 end,
      expire = case when rate_limits.expire <= $3 then excluded.expire else rate_limits.expire end
    returning key, points, expire`,
};
/** Takes back a window that a refused batch started (it was absent or expired before). */
const DROP_FRESH = {
  name: 'postern-rate-limits-drop-fresh',
  text: 'delete from rate_limits where key = $1 and expire = $2 and points = 1',
};

const hashKey = (key: string): string => createHash('sha256').update(key).digest('base64url');
/** In process, 128 bits of the hash are plenty to keep keys apart, at half the string's size. */
const shortKey = (key: string): string => createHash('sha256').update(key).digest().toString('base64url', 0, 16);

/**
 * rate-limiter-flexible behind the RateLimits port. One limiter per bucket shape
 * (name, points, duration, block) because policies differ per tenant; keys are hashed so
 * that no address is stored in the limiter's table or Redis.
 */
export class FlexibleRateLimits implements RateLimitStore {
  private readonly limiters = new Map<string, RateLimiterAbstract>();

  constructor(
    private readonly store: LimiterStore,
    private readonly redis?: Redis,
  ) {}

  private limiter(b: Bucket): RateLimiterAbstract {
    const id = FlexibleRateLimits.shape(b);
    let l = this.limiters.get(id);
    if (l) return l;
    const opts = {
      keyPrefix: `pl:${id}`,
      points: b.points,
      duration: b.durationSeconds,
      blockDuration: b.blockSeconds ?? 0,
    };
    if (this.store.kind === 'postgres')
      l = new RateLimiterPostgres({
        ...opts,
        storeClient: this.store.pool,
        storeType: 'pool',
        tableName: 'rate_limits',
        tableCreated: true,
        clearExpiredByTimeout: false,
      });
    else l = new RateLimiterRedis({ ...opts, storeClient: this.redis });
    this.limiters.set(id, l);
    return l;
  }

  private key(b: Bucket): string {
    return hashKey(b.key);
  }

  private static shape(b: Bucket): string {
    return `${b.name}:${b.points}:${b.durationSeconds}:${b.blockSeconds ?? 0}`;
  }

  /**
   * On PostgreSQL, every bucket in one statement (one round trip). Should one refuse, the
   * buckets after it are put back as they were: a window the statement started is deleted
   * (absent and expired count the same), any other gives its point back.
   */
  async hitAll(buckets: readonly Bucket[]): Promise<LimitResult[]> {
    const keys = buckets.map((b) => `pl:${FlexibleRateLimits.shape(b)}:${this.key(b)}`);
    if (
      this.store.kind !== 'postgres' ||
      buckets.length < 2 ||
      buckets.some((b) => b.blockSeconds) ||
      new Set(keys).size !== keys.length
    )
      return hitInTurn(this, buckets);
    const pool = this.store.pool;
    const now = Date.now();
    const expires = buckets.map((b) => now + b.durationSeconds * 1000);
    let rows: Map<string, { points: number; expire: number }>;
    try {
      const r = await pool.query<{ key: string; points: number; expire: string }>({
        ...HIT_ALL,
        values: [keys, expires, now],
      });
      rows = new Map(r.rows.map((row) => [row.key, { points: Number(row.points), expire: Number(row.expire) }]));
    } catch (err) {
      this.unavailable(err);
    }
    const out: LimitResult[] = [];
    for (const [i, b] of buckets.entries()) {
      const row = rows.get(keys[i]!);
      if (!row) this.unavailable(new Error('rate limits: the upsert returned no row for a bucket'));
      if (row.points <= b.points) {
        out.push({ allowed: true, retryAfter: 0, remaining: b.points - row.points });
        continue;
      }
      out.push({ allowed: false, retryAfter: Math.max(1, Math.ceil((row.expire - Date.now()) / 1000)), remaining: 0 });
      for (const [j, later] of buckets.entries()) {
        if (j <= i) continue;
        const counted = rows.get(keys[j]!);
        if (counted && counted.points === 1 && counted.expire === expires[j])
          await pool.query({ ...DROP_FRESH, values: [keys[j], counted.expire] }).catch(() => undefined);
        else await this.undo(later);
      }
      break;
    }
    return out;
  }

  /** A store failure refuses (503) rather than letting guesses through unlimited. */
  private unavailable(err: unknown): never {
    throw new AppError(
      'service.unavailable',
      'The rate-limit store is unavailable; try again shortly.',
      {},
      { cause: err, headers: { 'retry-after': '5' } },
    );
  }

  async hit(b: Bucket): Promise<LimitResult> {
    try {
      const r = await this.limiter(b).consume(this.key(b), 1);
      return { allowed: true, retryAfter: 0, remaining: r.remainingPoints };
    } catch (err) {
      if (err instanceof RateLimiterRes)
        return { allowed: false, retryAfter: Math.max(1, Math.ceil(err.msBeforeNext / 1000)), remaining: 0 };
      this.unavailable(err);
    }
  }

  async peek(b: Bucket): Promise<LimitResult> {
    try {
      const r = await this.limiter(b).get(this.key(b));
      if (r && r.consumedPoints >= b.points)
        return { allowed: false, retryAfter: Math.max(1, Math.ceil(r.msBeforeNext / 1000)), remaining: 0 };
      return { allowed: true, retryAfter: 0, remaining: b.points - (r?.consumedPoints ?? 0) };
    } catch (err) {
      this.unavailable(err);
    }
  }

  async undo(b: Bucket): Promise<void> {
    try {
      await this.limiter(b).reward(this.key(b), 1);
    } catch {
      // Best effort: a lost refund only makes a limit slightly stricter.
    }
  }

  async block(b: Bucket, seconds: number): Promise<void> {
    try {
      await this.limiter(b).block(this.key(b), seconds);
    } catch (err) {
      this.unavailable(err);
    }
  }

  /** Waits (briefly) for Redis, so the first requests after start are not refused. */
  async ready(timeoutMs = 3_000): Promise<boolean> {
    if (!this.redis) return true;
    if (this.redis.status === 'ready') return true;
    return new Promise<boolean>((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.redis!.off('ready', onReady);
        resolve(ok);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.redis!.once('ready', onReady);
    });
  }

  /** For /readyz: Redis answers, when it is the store. */
  async ping(): Promise<void> {
    if (!this.redis) return;
    await this.redis.ping();
  }

  async close(): Promise<void> {
    this.redis?.disconnect();
  }
}
