import { createHash } from 'node:crypto';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { AppError } from '../core/errors.js';
import type { Bucket, LimitResult, RateLimits } from '../core/codes/limits.js';

export type LimiterStore = { kind: 'memory' } | { kind: 'postgres'; pool: pg.Pool } | { kind: 'redis'; url: string };

/**
 * rate-limiter-flexible behind the RateLimits port. One limiter per bucket shape
 * (name, points, duration, block) because policies differ per tenant; keys are hashed so
 * that no address is stored in the limiter's table or Redis.
 */
export class FlexibleRateLimits implements RateLimits {
  private readonly limiters = new Map<string, RateLimiterAbstract>();
  private readonly redis: Redis | undefined;

  constructor(private readonly store: LimiterStore) {
    if (store.kind === 'redis') {
      // Bounded: a limiter call that cannot reach Redis must fail (503), never hang.
      this.redis = new Redis(store.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 1_000, connectTimeout: 2_000, lazyConnect: false });
      this.redis.on('error', () => undefined);
    }
  }

  private limiter(b: Bucket): RateLimiterAbstract {
    const id = `${b.name}:${b.points}:${b.durationSeconds}:${b.blockSeconds ?? 0}`;
    let l = this.limiters.get(id);
    if (l) return l;
    const opts = { keyPrefix: `pl:${id}`, points: b.points, duration: b.durationSeconds, blockDuration: b.blockSeconds ?? 0 };
    if (this.store.kind === 'redis') l = new RateLimiterRedis({ ...opts, storeClient: this.redis });
    else if (this.store.kind === 'postgres') l = new RateLimiterPostgres({ ...opts, storeClient: this.store.pool, storeType: 'pool', tableName: 'rate_limits', tableCreated: true, clearExpiredByTimeout: false });
    else l = new RateLimiterMemory(opts);
    this.limiters.set(id, l);
    return l;
  }

  private key(b: Bucket): string {
    return createHash('sha256').update(b.key).digest('base64url');
  }

  /** A store failure refuses (503) rather than letting guesses through unlimited. */
  private unavailable(err: unknown): never {
    throw new AppError('service.unavailable', 'The rate-limit store is unavailable; try again shortly.', {}, { cause: err, headers: { 'retry-after': '5' } });
  }

  async hit(b: Bucket): Promise<LimitResult> {
    try {
      const r = await this.limiter(b).consume(this.key(b), 1);
      return { allowed: true, retryAfter: 0, remaining: r.remainingPoints };
    } catch (err) {
      if (err instanceof RateLimiterRes) return { allowed: false, retryAfter: Math.max(1, Math.ceil(err.msBeforeNext / 1000)), remaining: 0 };
      this.unavailable(err);
    }
  }

  async peek(b: Bucket): Promise<LimitResult> {
    try {
      const r = await this.limiter(b).get(this.key(b));
      if (r && r.consumedPoints >= b.points) return { allowed: false, retryAfter: Math.max(1, Math.ceil(r.msBeforeNext / 1000)), remaining: 0 };
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
