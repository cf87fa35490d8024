import type { Clock } from '../ports.js';

export type Role = 'primary' | 'fallback';
export type CircuitState = 'closed' | 'open' | 'half-open';

/** Errors that fail over to the fallback connector and count against a circuit (SPEC §15). */
export const FAILOVER_ERRORS: ReadonlySet<string> = new Set([
  'connector.unavailable',
  'connector.timeout',
  'connector.rate_limited',
  'connector.auth_failed',
  'connector.delivery_failed',
]);

export interface CircuitRules {
  /** Consecutive failover-eligible failures that open the circuit … */
  failures: number;
  /** … when they all fall within this window. */
  windowMs: number;
  /** How long the circuit stays open before one probe is let through. */
  openMs: number;
}

export const DEFAULT_CIRCUIT: CircuitRules = { failures: 5, windowMs: 60_000, openMs: 30_000 };

/** What a send may do with a connector right now. */
export type Admission = { allowed: true; probe: boolean } | { allowed: false; retryAfter: number };

/**
 * One connector's circuit on this instance (each instance learns on its own): closed; open
 * after `failures` consecutive failover-eligible failures within `windowMs`; after `openMs`
 * half-open, when exactly one probe goes through; the probe's success closes it, its failure
 * opens it again. Also keeps the last five minutes of outcomes for the health view.
 */
export class Circuit {
  private failures: number[] = [];
  private openedAt: number | null = null;
  private probing = false;
  lastError: { code: string; message: string; at: string } | null = null;
  private readonly recent: Array<{ at: number; ok: boolean; ms: number }> = [];

  constructor(
    readonly key: string,
    readonly tenantId: string,
    readonly role: Role,
    readonly factoryId: string,
    private readonly rules: CircuitRules,
    private readonly clock: Clock,
  ) {}

  private now(): number {
    return this.clock.now().getTime();
  }

  get state(): CircuitState {
    if (this.openedAt === null) return 'closed';
    return this.now() - this.openedAt >= this.rules.openMs ? 'half-open' : 'open';
  }

  /** Asks to send; a half-open circuit admits one probe at a time. */
  admit(): Admission {
    const state = this.state;
    if (state === 'closed') return { allowed: true, probe: false };
    if (state === 'half-open' && !this.probing) {
      this.probing = true;
      return { allowed: true, probe: true };
    }
    const left = this.openedAt! + this.rules.openMs - this.now();
    return { allowed: false, retryAfter: Math.max(1, Math.ceil(left / 1000)) };
  }

  /** Records an outcome; `error` is the connector error code on failure. */
  record(ok: boolean, ms: number, error?: { code: string; message: string }, probe = false): void {
    const now = this.now();
    this.recent.push({ at: now, ok, ms });
    this.prune(now);
    if (probe) this.probing = false;
    if (ok) {
      this.failures = [];
      this.openedAt = null;
      return;
    }
    if (error) this.lastError = { ...error, at: new Date(now).toISOString() };
    if (!error || !FAILOVER_ERRORS.has(error.code)) return;
    if (probe) {
      this.openedAt = now;
      return;
    }
    this.failures = this.failures.filter((t) => now - t < this.rules.windowMs);
    this.failures.push(now);
    if (this.openedAt === null && this.failures.length >= this.rules.failures) this.openedAt = now;
  }

  /** A probe that never ran (the send stopped before reaching the connector). */
  release(probe: boolean): void {
    if (probe) this.probing = false;
  }

  private prune(now: number): void {
    while (this.recent.length && now - this.recent[0]!.at > 300_000) this.recent.shift();
  }

  /** sent/failed in the last five minutes and the p95 of their durations. */
  stats(): { sent5m: number; failed5m: number; p95Ms: number | null } {
    this.prune(this.now());
    const ms = this.recent.map((r) => r.ms).sort((a, b) => a - b);
    const p95 = ms.length ? ms[Math.min(ms.length - 1, Math.ceil(ms.length * 0.95) - 1)]! : null;
    return {
      sent5m: this.recent.filter((r) => r.ok).length,
      failed5m: this.recent.filter((r) => !r.ok).length,
      p95Ms: p95 === null ? null : Math.round(p95),
    };
  }
}

/** The circuits of this instance, one per saved connector (a changed config starts afresh). */
export class Circuits {
  private readonly all = new Map<string, Circuit>();

  constructor(
    private readonly clock: Clock,
    readonly rules: CircuitRules = DEFAULT_CIRCUIT,
  ) {}

  for(tenantId: string, role: Role, connectorId: string, factoryId: string, version: string): Circuit {
    const key = `${tenantId}\n${role}`;
    let c = this.all.get(key);
    const id = `${connectorId}@${version}`;
    if (!c || c.key !== id) this.all.set(key, (c = new Circuit(id, tenantId, role, factoryId, this.rules, this.clock)));
    return c;
  }

  get(tenantId: string, role: Role): Circuit | undefined {
    return this.all.get(`${tenantId}\n${role}`);
  }

  list(): Circuit[] {
    return [...this.all.values()];
  }
}
