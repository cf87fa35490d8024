import { randomUUID } from 'node:crypto';
import { isConnectorError, type ConnectorError, type TemplateType } from '@postern/connector-kit';
import { timeOrderedId } from '../../lib/ids.js';
import type { Keyring } from '../../lib/crypto.js';
import type { Metrics } from '../../lib/metrics.js';
import { emailSourceOf, type EmailLogEntry, type OutboxRow, type OutboxStore } from '../ports.js';
import type { Clock } from '../ports.js';
import type { EmailSender, SendOutcome, SendRequest, SubmittedContent } from './sender.js';
import { maskCode } from './sender.js';
import { AppError } from '../errors.js';

export type { OutboxRow } from '../ports.js';

/** What is kept (encrypted) of a message to render and send it again on any instance. */
interface OutboxPayload {
  to: string;
  templateType: TemplateType;
  locale?: string | undefined;
  acceptLanguage?: string | undefined;
  variables: Record<string, unknown>;
  ip?: string | undefined;
  /** A finished message submitted over SMTP (SPEC §18). */
  content?: SubmittedContent | undefined;
}

export interface OutboxGuard {
  /** `code`: the verification code must still be active and unexpired; `invitation`: pending, with this token hash. */
  kind: 'code' | 'invitation';
  id: string;
  hash?: string;
}

export interface EnqueueInput {
  request: SendRequest;
  /** Where the send came from (`api`, `experience`, `account`, `invitation`, …). */
  source: string;
  guard?: OutboxGuard | undefined;
  /** The last moment the message may go out (the code's expiry; an hour for codeless mail). */
  notAfter: string;
}

export interface OutboxOptions {
  /** How long a claim holds a row before any instance may take it over (default 30 s). */
  leaseMs: number;
  /** How often the worker looks for due rows (default 1 s). */
  pollMs: number;
  /** Rows claimed at once, and messages this instance works on at once. */
  batch: number;
  /** Mail without a code is retried for at most this long (SPEC §15: an hour). */
  codelessWindowMs: number;
}

export const DEFAULT_OUTBOX_OPTIONS: OutboxOptions = {
  leaseMs: 30_000,
  pollMs: 1_000,
  batch: 16,
  codelessWindowMs: 3_600_000,
};

/** Errors that retrying later cannot fix: the message ends `failed` at once. */
const PERMANENT = new Set([
  'connector.rejected_recipient',
  'connector.destination_blocked',
  'connector.template_not_found',
  'connector.bad_config',
  'recipient.suppressed',
]);

/** A prepared outbox row plus the clear request, kept only in this process's memory. */
export interface Pending {
  row: OutboxRow;
  request: SendRequest;
}

/**
 * Durable delivery (SPEC §15). A message is first written to the outbox, in the caller's
 * transaction, leased to this instance; then attempted. The flows that answer after delivery
 * call `deliverNow` (one pass of attempts, the final outcome: a failure reported to the caller
 * is never retried behind its back); the flows that answer first call `dispatch`, which
 * retries with back-off until the message's `notAfter`. A worker on every instance claims
 * due rows and rows whose lease expired (a crashed or killed instance), so an accepted
 * message is delivered or ends `failed` with a reason. Before every pass the worker checks
 * that the code is still the live one (not expired, not replaced by a newer code, not used)
 * and never sends after `notAfter`. The row id is the message id on every attempt
 * (`Message-ID`, `webhook-id`, `Idempotency-Key`).
 */
export class Outbox {
  readonly instanceId = randomUUID();
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Ids of the rows this instance works on now, so that it never takes one of its own twice. */
  private readonly working = new Set<string>();
  private polling: Promise<void> | undefined;
  /** Renews the leases of the rows in `working`; one timer for all of them, made on first use. */
  private leaseTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private kicked = false;

  constructor(
    readonly store: OutboxStore,
    private readonly keyring: Keyring,
    private readonly sender: EmailSender,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    readonly options: OutboxOptions = DEFAULT_OUTBOX_OPTIONS,
    /** Called once a message ends failed or cancelled (the code service invalidates its code). */
    private readonly onGiveUp: (row: OutboxRow) => Promise<void> = async () => undefined,
  ) {}

  private aad(tenantId: string, id: string): string {
    return `outbox/${tenantId}/${id}`;
  }

  /** Builds the row for a message, leased to this instance; the caller inserts it in its transaction. */
  prepare(input: EnqueueInput): Pending {
    const id = timeOrderedId();
    const now = this.clock.now();
    const at = now.toISOString();
    const r = input.request;
    const payload: OutboxPayload = {
      to: r.to,
      templateType: r.templateType,
      locale: r.locale,
      acceptLanguage: r.acceptLanguage,
      variables: r.variables,
      ip: r.ip,
      ...(r.content ? { content: r.content } : {}),
    };
    const row: OutboxRow = {
      id,
      tenant_id: r.tenantId,
      state: 'sending',
      source: input.source,
      template_type: r.templateType,
      to_address: r.to,
      payload: this.keyring.encrypt(JSON.stringify(payload), this.aad(r.tenantId, id)),
      guard_kind: input.guard?.kind ?? null,
      guard_id: input.guard?.id ?? null,
      guard_hash: input.guard?.hash ?? null,
      attempts: 0,
      lease_owner: this.instanceId,
      lease_until: new Date(now.getTime() + this.options.leaseMs).toISOString(),
      next_attempt_at: at,
      not_after: input.notAfter,
      last_error_code: null,
      last_error_message: null,
      provider_message_id: null,
      created_at: at,
      updated_at: at,
      finished_at: null,
    };
    return { row, request: { ...r, id, source: emailSourceOf(input.source) } };
  }

  /** The `notAfter` of mail without a code: an hour from now, or earlier. */
  codelessNotAfter(limit?: string): string {
    const hour = new Date(this.clock.now().getTime() + this.options.codelessWindowMs).toISOString();
    return limit && limit < hour ? limit : hour;
  }

  /** Writes a prepared row on its own (when no other record needs to share its transaction). */
  async insert(p: Pending): Promise<void> {
    await this.store.insert(p.row);
  }

  /**
   * One pass of attempts (SPEC §3.5) while the caller waits; the outcome is final either
   * way (a failure the caller sees is not retried later).
   */
  async deliverNow(p: Pending): Promise<SendOutcome> {
    let out: SendOutcome;
    const release = this.holdLease(p.row);
    try {
      out = await this.sender.send(p.request, undefined, true);
    } catch (err) {
      release();
      await this.finish(p.row, 'failed', p.row.attempts, asError(err), null, p.request.variables.code);
      throw err;
    }
    release();
    await this.finish(
      p.row,
      out.ok ? 'sent' : 'failed',
      p.row.attempts + out.attempts,
      out.error ?? null,
      out.providerMessageId,
      p.request.variables.code,
      out.logEntry,
    );
    return out;
  }

  /** Works on a row leased to this instance in the background (the flows that answer first). */
  dispatch(p: Pending): void {
    this.track(this.process(p.row, p.request));
  }

  /** Starts the worker: polls for due rows and rows whose lease expired. */
  start(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => this.kick(), this.options.pollMs);
    this.timer.unref();
    this.kick();
  }

  /** Looks for due rows now (also called by the timer). */
  kick(): void {
    if (this.closed) return;
    if (this.polling) {
      this.kicked = true;
      return;
    }
    this.polling = this.poll()
      .catch(() => undefined)
      .finally(() => {
        this.polling = undefined;
        if (this.kicked) {
          this.kicked = false;
          this.kick();
        }
      });
  }

  private async poll(): Promise<void> {
    const room = this.options.batch - this.inFlight.size;
    if (room <= 0) return;
    const now = this.clock.now();
    const rows = await this.store.claim(
      this.instanceId,
      now.toISOString(),
      new Date(now.getTime() + this.options.leaseMs).toISOString(),
      room,
    );
    for (const row of rows) if (!this.working.has(row.id)) this.track(this.process(row));
  }

  private track(p: Promise<unknown>): void {
    const t = p.catch(() => undefined).finally(() => this.inFlight.delete(t));
    this.inFlight.add(t);
  }

  private decrypt(row: OutboxRow): SendRequest {
    const p = JSON.parse(this.keyring.decrypt(row.payload, this.aad(row.tenant_id, row.id))) as OutboxPayload;
    return {
      tenantId: row.tenant_id,
      to: p.to,
      templateType: p.templateType,
      locale: p.locale,
      acceptLanguage: p.acceptLanguage,
      variables: p.variables,
      ip: p.ip,
      id: row.id,
      source: emailSourceOf(row.source),
      ...(p.content ? { content: p.content } : {}),
    };
  }

  /**
   * Keeps the lease of a row while this instance works on it (a pass can outlast a short
   * lease: a slow provider, a queue in the connection pool), so that only the rows of an
   * instance that stopped are taken over. One timer renews every row in `working` (a timer
   * per message would cost more than the message on the fast path). Returns the release.
   */
  private holdLease(row: OutboxRow): () => void {
    this.working.add(row.id);
    if (!this.leaseTimer && !this.closed) {
      this.leaseTimer = setInterval(() => this.renewLeases(), Math.max(100, Math.floor(this.options.leaseMs / 3)));
      this.leaseTimer.unref();
    }
    return () => this.working.delete(row.id);
  }

  private renewLeases(): void {
    if (this.working.size === 0) return;
    const until = new Date(this.clock.now().getTime() + this.options.leaseMs).toISOString();
    for (const id of this.working) void this.store.extend(id, this.instanceId, until).catch(() => undefined);
  }

  /** One pass over a claimed row: check it may still go, send, then finish or reschedule it. */
  private async process(row: OutboxRow, request?: SendRequest): Promise<void> {
    const release = this.holdLease(row);
    try {
      await this.pass(row, request);
    } finally {
      release();
    }
  }

  private async pass(row: OutboxRow, request?: SendRequest): Promise<void> {
    const now = this.clock.now();
    const at = now.toISOString();
    if (row.not_after <= at) {
      await this.finish(
        row,
        'failed',
        row.attempts,
        { code: 'outbox.expired', message: 'The message was not delivered before its code or link expired.' },
        null,
      );
      return;
    }
    if (!(await this.store.guardHolds(row, at))) {
      await this.finish(
        row,
        'cancelled',
        row.attempts,
        {
          code: 'outbox.superseded',
          message: 'The code or link in this message was replaced, used or expired before it was delivered.',
        },
        null,
      );
      return;
    }
    let req: SendRequest;
    try {
      req = request ?? this.decrypt(row);
    } catch (err) {
      await this.finish(
        row,
        'failed',
        row.attempts,
        { code: 'outbox.unreadable', message: `The queued message cannot be read: ${(err as Error).message}` },
        null,
      );
      return;
    }
    const code = req.variables.code;
    const willRetry = (o: { ok: boolean; error?: ConnectorError | undefined }) =>
      !o.ok && this.retryAt(row, o.error) !== null;
    let out: SendOutcome;
    try {
      out = await this.sender.send(req, (o) => !willRetry(o), true);
    } catch (err) {
      const e = asError(err);
      const next = this.retryAt(row, e);
      if (next) await this.reschedule(row, row.attempts, next, e, code);
      else await this.finish(row, 'failed', row.attempts, e, null, code);
      return;
    }
    const attempts = row.attempts + out.attempts;
    if (out.ok) {
      await this.finish(row, 'sent', attempts, null, out.providerMessageId, undefined, out.logEntry);
      return;
    }
    const next = this.retryAt({ ...row, attempts }, out.error);
    if (next) await this.reschedule(row, attempts, next, out.error ?? null, code);
    else await this.finish(row, 'failed', attempts, out.error ?? null, null, code, out.logEntry);
  }

  /** When to try again after a failed pass, or null when the message should end failed. */
  private retryAt(row: OutboxRow, err: { code: string } | undefined | null): string | null {
    if (err && PERMANENT.has(err.code)) return null;
    const passes = Math.max(1, Math.ceil(Number(row.attempts) / 3));
    const base = Math.min(600_000, 5_000 * 2 ** (passes - 1));
    const next = new Date(this.clock.now().getTime() + base / 2 + Math.random() * base).toISOString();
    return next < row.not_after ? next : null;
  }

  private async reschedule(
    row: OutboxRow,
    attempts: number,
    next: string,
    err: { code: string; message: string } | null,
    code: unknown,
  ): Promise<void> {
    await this.store.retry({
      id: row.id,
      owner: this.instanceId,
      attempts,
      nextAttemptAt: next,
      errorCode: err?.code ?? null,
      errorMessage: err ? maskCode(err.message, code).slice(0, 500) : null,
      at: this.clock.now().toISOString(),
    });
  }

  private async finish(
    row: OutboxRow,
    state: 'sent' | 'failed' | 'cancelled',
    attempts: number,
    err: { code: string; message: string } | null,
    providerMessageId: string | null,
    code?: unknown,
    log?: EmailLogEntry,
  ): Promise<void> {
    const owned = await this.store.finish({
      id: row.id,
      owner: this.instanceId,
      state,
      attempts,
      errorCode: err?.code ?? null,
      errorMessage: err ? maskCode(err.message, code).slice(0, 500) : null,
      providerMessageId,
      at: this.clock.now().toISOString(),
      log,
    });
    this.metrics.outboxFinished.inc({ state });
    if (owned && state !== 'sent') await this.onGiveUp(row).catch(() => undefined);
  }

  /** Stops claiming; waits up to `graceMs` for messages in flight (their leases cover the rest). */
  async close(graceMs = 5_000): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const all = Promise.allSettled([this.polling, ...this.inFlight]);
    let t: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise<void>((r) => (t = setTimeout(r, graceMs)))]);
    if (t) clearTimeout(t);
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    this.leaseTimer = undefined;
  }

  /** Messages this instance is working on now. */
  get busy(): number {
    return this.inFlight.size;
  }
}

function asError(err: unknown): { code: string; message: string } {
  if (isConnectorError(err) || err instanceof AppError) return { code: err.code, message: err.message };
  return { code: 'connector.delivery_failed', message: 'The delivery failed unexpectedly.' };
}
