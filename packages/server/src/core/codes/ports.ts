/** A counter: `points` events per `durationSeconds`, then refused (for `blockSeconds`, if set). */
export interface Bucket {
  /** What is counted: 'cooldown', 'recipient-hour', 'ip-hour', 'lockout'. */
  name: string;
  /** Whom it is counted for; hashed before it is stored. */
  key: string;
  points: number;
  durationSeconds: number;
  blockSeconds?: number;
}

export interface LimitResult {
  allowed: boolean;
  /** Seconds until the next event is allowed (when refused). */
  retryAfter: number;
  /** Events left in the window after this one. */
  remaining: number;
}

/**
 * Rate limits and lockouts. In-process for a single SQLite instance; the shared database
 * or Redis when several instances run, so that the limits hold for their sum.
 */
export interface RateLimits {
  /** Counts one event. */
  hit(bucket: Bucket): Promise<LimitResult>;
  /**
   * Counts one event in each bucket, in order, up to the first that refuses: the same as
   * `hit` on each in turn, stopping at a refusal (the buckets after it are left as they
   * were), but a shared store may do it in one round trip. One result per bucket counted;
   * when one refused, it is the last.
   */
  hitAll(buckets: readonly Bucket[]): Promise<LimitResult[]>;
  /** Whether the bucket is over its limit now, without counting. */
  peek(bucket: Bucket): Promise<LimitResult>;
  /** Takes back one event (a send that was refused by a later limit, a guess that was right). */
  undo(bucket: Bucket): Promise<void>;
  /** Refuses every event for `seconds` from now (a lockout). */
  block(bucket: Bucket, seconds: number): Promise<void>;
  close(): Promise<void>;
}
