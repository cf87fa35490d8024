/**
 * In-memory implementations of core's ports, for core's unit tests (no database, no HTTP).
 * They follow the same contracts as the SQL stores, which the store conformance tests
 * check against SQLite and PostgreSQL.
 */
import type {
  CodeAttempt,
  CodeAttemptDecision,
  CodeAttemptTarget,
  Clock,
  CodeStore,
  ConnectorStore,
  StoredCode,
  StoredCodeState,
  StoredConnector,
} from '../core/ports.js';

/** A clock that moves only when told. */
export class ManualClock implements Clock {
  constructor(private at = new Date('2026-01-01T00:00:00.000Z')) {}
  now(): Date {
    return new Date(this.at);
  }
  advance(ms: number): void {
    this.at = new Date(this.at.getTime() + ms);
  }
}

/** A random source (core/codes/generate.ts `Random`) that plays back the given values in turn. */
export function sequenceRandom(values: number[]): (maxExclusive: number) => number {
  let i = 0;
  return (max: number) => values[i++ % values.length]! % max;
}

export class MemoryCodeStore implements CodeStore {
  readonly rows = new Map<string, StoredCodeState & { tenantId: string; id: string }>();

  async issue(c: StoredCode): Promise<void> {
    for (const r of this.rows.values()) {
      if (
        r.tenantId === c.tenantId &&
        r.recipientKey === c.recipientKey &&
        r.purpose === c.purpose &&
        r.status === 'active'
      )
        r.status = 'invalidated';
    }
    this.rows.set(c.id, {
      tenantId: c.tenantId,
      id: c.id,
      recipientKey: c.recipientKey,
      email: c.email,
      purpose: c.purpose,
      codeHmac: c.codeHmac,
      status: 'active',
      attempts: 0,
      maxAttempts: c.maxAttempts,
      expiresAt: c.expiresAt,
      payload: c.payload,
    });
  }

  async probe(q: Pick<CodeAttemptTarget, 'tenantId' | 'id'>): Promise<StoredCodeState | undefined> {
    const row = this.rows.get(q.id);
    return row && row.tenantId === q.tenantId ? { ...row } : undefined;
  }

  async attempt(
    q: CodeAttemptTarget,
    decide: (code: StoredCodeState | undefined) => CodeAttemptDecision,
  ): Promise<CodeAttempt> {
    const row = this.rows.get(q.id);
    const d = decide(row && row.tenantId === q.tenantId ? { ...row } : undefined);
    if (d.update && row) {
      if (row.attempts !== d.update.previous || row.status !== 'active') return d.lost ?? d.result;
      row.attempts = d.update.attempts;
      row.status = d.update.status;
    }
    return d.result;
  }

  async invalidateRecipient(tenantId: string, recipientKey: string): Promise<number> {
    let n = 0;
    for (const r of this.rows.values()) {
      if (r.tenantId === tenantId && r.recipientKey === recipientKey && r.status === 'active') {
        r.status = 'invalidated';
        n++;
      }
    }
    return n;
  }

  async invalidate(tenantId: string, id: string): Promise<void> {
    const r = this.rows.get(id);
    if (r && r.tenantId === tenantId) r.status = 'invalidated';
  }

  async purge(before: string, limit: number): Promise<number> {
    let n = 0;
    for (const [id, r] of this.rows) {
      if (n >= limit) break;
      if (r.expiresAt < before || r.status !== 'active') {
        this.rows.delete(id);
        n++;
      }
    }
    return n;
  }
}

export class MemoryConnectorStore implements ConnectorStore {
  readonly rows = new Map<string, StoredConnector>();

  async getEmailConnector(tenantId: string): Promise<StoredConnector | undefined> {
    return [...this.rows.values()].find((c) => c.tenantId === tenantId);
  }
  async get(tenantId: string, id: string): Promise<StoredConnector | undefined> {
    const c = this.rows.get(id);
    return c && c.tenantId === tenantId ? c : undefined;
  }
  async insertEmailConnector(c: StoredConnector): Promise<boolean> {
    if (await this.getEmailConnector(c.tenantId)) return false;
    this.rows.set(c.id, structuredClone(c));
    return true;
  }
  async replaceEmailConnector(c: StoredConnector): Promise<void> {
    const old = await this.getEmailConnector(c.tenantId);
    if (old) this.rows.delete(old.id);
    this.rows.set(c.id, structuredClone(c));
  }
  async updateConfig(
    tenantId: string,
    id: string,
    config: Record<string, unknown>,
    _secretPaths: readonly string[],
    at: string,
  ): Promise<boolean> {
    const c = await this.get(tenantId, id);
    if (!c) return false;
    this.rows.set(id, { ...c, config: structuredClone(config), updatedAt: at });
    return true;
  }
  async delete(tenantId: string, id: string): Promise<boolean> {
    return (await this.get(tenantId, id)) ? this.rows.delete(id) : false;
  }
  async version(tenantId: string): Promise<string | undefined> {
    const c = await this.getEmailConnector(tenantId);
    return c ? `${c.id}@${c.updatedAt}` : undefined;
  }
}
