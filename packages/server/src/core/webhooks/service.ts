import { randomUUID } from 'node:crypto';
import { isConnectorError } from '@postern/connector-kit';
import { timeOrderedId } from '../../lib/ids.js';
import type { Keyring } from '../../lib/crypto.js';
import { TtlCache } from '../../lib/ttl-cache.js';
import { AppError } from '../errors.js';
import type { Clock, Page, PageRequest } from '../ports.js';
import {
  WEBHOOK_EVENTS,
  type WebhookDeliveryRow,
  type WebhookEndpointRow,
  type WebhookEventType,
  type WebhookStore,
} from './ports.js';
import { newWebhookSecret, signedHeaders } from './signing.js';

export { WEBHOOK_EVENTS, type WebhookEventType } from './ports.js';

const HOUR = 3_600_000;

export interface WebhookOptions {
  /** How long a claim holds a delivery before any instance may take it over. */
  leaseMs: number;
  /** How often the worker looks for due deliveries. */
  pollMs: number;
  /** Deliveries claimed at once. */
  batch: number;
  /** The first retry waits about this long; each further one twice as long… */
  retryBaseMs: number;
  /** …up to this. */
  retryMaxMs: number;
  /** A delivery is retried this long; an endpoint failing this long is disabled (SPEC §16: 24 h). */
  windowMs: number;
  /** How long one request may take. */
  timeoutMs: number;
  /** How long a rotated-out secret keeps signing (24 h). */
  rotationMs: number;
}

export const DEFAULT_WEBHOOK_OPTIONS: WebhookOptions = {
  leaseMs: 60_000,
  pollMs: 2_000,
  batch: 16,
  retryBaseMs: 10_000,
  retryMaxMs: HOUR,
  windowMs: 24 * HOUR,
  timeoutMs: 10_000,
  rotationMs: 24 * HOUR,
};

export interface WebhookDeps {
  store: WebhookStore;
  keyring: Pick<Keyring, 'encrypt' | 'decrypt'>;
  clock: Clock;
  /** The outbound-policy fetch: every request, and every redirect, is checked (SPEC §3.5). */
  fetch: typeof fetch;
  /** Throws `connector.destination_blocked` for a host that resolves to a refused address. */
  assertDestination(host: string): Promise<void>;
  /** Whether POSTERN_OUTBOUND_ALLOW lists the host (plain http is allowed only there). */
  allowsHost(host: string): boolean;
  /** Counts attempts by outcome (`delivered`, `retry`, `failed`). */
  countAttempt?(outcome: 'delivered' | 'retry' | 'failed'): void;
  options?: Partial<WebhookOptions>;
}

export interface PublicWebhook {
  id: string;
  url: string;
  events: WebhookEventType[];
  enabled: boolean;
  /** Why Postern disabled it (after 24 h of failed deliveries), or null. */
  disabledReason: string | null;
  /** When the current run of failed deliveries began, or null. */
  failingSince: string | null;
  /** Until when the secret replaced by the last rotation still signs, or null. */
  previousSecretExpiresAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface PublicDelivery {
  id: string;
  webhookId: string;
  /** The `webhook-id` header: the same on every attempt and redelivery of one event. */
  eventId: string;
  eventType: string;
  state: WebhookDeliveryRow['state'];
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  /** When the next attempt is due (null once finished). */
  nextAttemptAt: string | null;
  createdAt: string;
  finishedAt: string | null;
  payload: unknown;
}

export interface WebhookInput {
  url: string;
  events: WebhookEventType[];
  enabled?: boolean | undefined;
}

/**
 * Event webhooks out (SPEC §16). `emit` writes one delivery row per endpoint that takes the
 * event; a worker on every instance claims due rows (leased like the outbox), signs each
 * request with Standard Webhooks and retries with exponential back-off for 24 h. An endpoint
 * whose deliveries have failed for 24 h without a success is disabled and says why.
 */
export class Webhooks {
  readonly instanceId = randomUUID();
  private readonly o: WebhookOptions;
  private readonly endpoints: TtlCache<WebhookEndpointRow[]>;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private kicked = false;
  private closed = false;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly d: WebhookDeps) {
    this.o = { ...DEFAULT_WEBHOOK_OPTIONS, ...d.options };
    this.endpoints = new TtlCache(5_000);
  }

  private now(): Date {
    return this.d.clock.now();
  }

  private aad(tenantId: string, id: string): string {
    return `webhook/${tenantId}/${id}`;
  }

  // ── endpoints ─────────────────────────────────────────────────────────────────

  /** Refuses anything but https (plain http only for hosts the outbound policy allows) and refused destinations. */
  private async checkUrl(raw: string): Promise<string> {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw invalid('url', 'The URL is not a valid absolute URL.');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw invalid('url', 'The URL must start with https://.');
    if (url.username || url.password)
      throw invalid('url', 'The URL must not carry credentials; verify the signature instead.');
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    if (url.protocol === 'http:' && !this.d.allowsHost(host))
      throw invalid('url', 'The URL must start with https:// (plain http only for hosts in POSTERN_OUTBOUND_ALLOW).');
    try {
      await this.d.assertDestination(host);
    } catch (err) {
      if (isConnectorError(err) && err.code === 'connector.destination_blocked') throw err;
      throw invalid('url', `The host ${host} could not be resolved.`);
    }
    url.hash = '';
    return url.href;
  }

  private toPublic(r: WebhookEndpointRow): PublicWebhook {
    const now = this.now().toISOString();
    return {
      id: r.id,
      url: r.url,
      events: JSON.parse(r.events) as WebhookEventType[],
      enabled: r.enabled === 1,
      disabledReason: r.disabled_reason,
      failingSince: r.failing_since,
      previousSecretExpiresAt: r.previous_until && r.previous_until > now ? r.previous_until : null,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }

  async create(tenantId: string, input: WebhookInput): Promise<PublicWebhook & { secret: string }> {
    const url = await this.checkUrl(input.url);
    const secret = newWebhookSecret();
    const id = `wh_${timeOrderedId()}`;
    const at = this.now().toISOString();
    const row: WebhookEndpointRow = {
      id,
      tenant_id: tenantId,
      url,
      events: JSON.stringify(uniqueEvents(input.events)),
      enabled: input.enabled === false ? 0 : 1,
      secret: this.d.keyring.encrypt(secret, this.aad(tenantId, id)),
      previous_secret: null,
      previous_until: null,
      failing_since: null,
      disabled_reason: null,
      created_at: at,
      updated_at: at,
    };
    await this.d.store.insertEndpoint(row);
    this.endpoints.delete(tenantId);
    return { ...this.toPublic(row), secret };
  }

  private async row(tenantId: string, id: string): Promise<WebhookEndpointRow> {
    const r = await this.d.store.getEndpoint(tenantId, id);
    if (!r) throw new AppError('webhook.not_found', `There is no webhook ${id} in this tenant.`);
    return r;
  }

  async get(tenantId: string, id: string): Promise<PublicWebhook> {
    return this.toPublic(await this.row(tenantId, id));
  }

  async list(tenantId: string, page: PageRequest): Promise<Page<PublicWebhook>> {
    const p = await this.d.store.listEndpoints(tenantId, page);
    return { items: p.items.map((r) => this.toPublic(r)), nextCursor: p.nextCursor };
  }

  /** A merge patch of `{url, events, enabled}`; enabling clears the failure record. */
  async update(tenantId: string, id: string, patch: Partial<WebhookInput>): Promise<PublicWebhook> {
    const current = await this.row(tenantId, id);
    const set: Partial<WebhookEndpointRow> = { updated_at: this.now().toISOString() };
    if (patch.url !== undefined) set.url = await this.checkUrl(patch.url);
    if (patch.events !== undefined) set.events = JSON.stringify(uniqueEvents(patch.events));
    if (patch.enabled !== undefined) {
      set.enabled = patch.enabled ? 1 : 0;
      if (patch.enabled && current.enabled !== 1) {
        set.failing_since = null;
        set.disabled_reason = null;
      }
    }
    await this.d.store.updateEndpoint(tenantId, id, set);
    this.endpoints.delete(tenantId);
    return this.get(tenantId, id);
  }

  async remove(tenantId: string, id: string): Promise<void> {
    if (!(await this.d.store.deleteEndpoint(tenantId, id)))
      throw new AppError('webhook.not_found', `There is no webhook ${id} in this tenant.`);
    this.endpoints.delete(tenantId);
  }

  /** A new secret (shown once); the old one keeps signing beside it for 24 h. */
  async rotateSecret(tenantId: string, id: string): Promise<PublicWebhook & { secret: string }> {
    const current = await this.row(tenantId, id);
    const secret = newWebhookSecret();
    const now = this.now();
    await this.d.store.updateEndpoint(tenantId, id, {
      secret: this.d.keyring.encrypt(secret, this.aad(tenantId, id)),
      previous_secret: current.secret,
      previous_until: new Date(now.getTime() + this.o.rotationMs).toISOString(),
      updated_at: now.toISOString(),
    });
    this.endpoints.delete(tenantId);
    return { ...(await this.get(tenantId, id)), secret };
  }

  // ── events ────────────────────────────────────────────────────────────────────

  private payload(type: string, data: Record<string, unknown>, at: Date): string {
    return JSON.stringify({ type, timestamp: at.toISOString(), data });
  }

  private deliveryRow(
    e: WebhookEndpointRow,
    eventId: string,
    type: string,
    payload: string,
    at: Date,
  ): WebhookDeliveryRow {
    const iso = at.toISOString();
    return {
      id: `whd_${timeOrderedId()}`,
      tenant_id: e.tenant_id,
      endpoint_id: e.id,
      event_id: eventId,
      event_type: type,
      payload,
      state: 'queued',
      attempts: 0,
      lease_owner: null,
      lease_until: null,
      next_attempt_at: iso,
      give_up_at: new Date(at.getTime() + this.o.windowMs).toISOString(),
      last_status: null,
      last_error: null,
      created_at: iso,
      updated_at: iso,
      finished_at: null,
    };
  }

  /**
   * Queues an event for every enabled endpoint of the tenant that takes it. Never throws:
   * the flow that emits must not fail because a webhook could not be queued. `data` must
   * carry no code, token or secret.
   */
  async emit(tenantId: string, type: WebhookEventType, data: Record<string, unknown>): Promise<void> {
    try {
      const all = await this.endpoints.get(tenantId, () => this.d.store.enabledEndpoints(tenantId));
      const targets = all.filter((e) => (JSON.parse(e.events) as string[]).includes(type));
      if (!targets.length) return;
      const at = this.now();
      const eventId = `evt_${timeOrderedId()}`;
      const payload = this.payload(type, { tenantId, ...data }, at);
      await this.d.store.insertDeliveries(targets.map((e) => this.deliveryRow(e, eventId, type, payload, at)));
      this.kick();
    } catch {
      // The event is lost for webhooks only; the flow goes on.
    }
  }

  private toPublicDelivery(r: WebhookDeliveryRow): PublicDelivery {
    let payload: unknown = null;
    try {
      payload = JSON.parse(r.payload);
    } catch {
      // kept null
    }
    const finished = r.state === 'delivered' || r.state === 'failed';
    return {
      id: r.id,
      webhookId: r.endpoint_id,
      eventId: r.event_id,
      eventType: r.event_type,
      state: r.state,
      attempts: Number(r.attempts),
      lastStatus: r.last_status === null ? null : Number(r.last_status),
      lastError: r.last_error,
      nextAttemptAt: finished ? null : r.next_attempt_at,
      createdAt: r.created_at,
      finishedAt: r.finished_at,
      payload,
    };
  }

  async deliveries(tenantId: string, id: string, page: PageRequest): Promise<Page<PublicDelivery>> {
    await this.row(tenantId, id);
    const p = await this.d.store.listDeliveries(tenantId, id, page);
    return { items: p.items.map((r) => this.toPublicDelivery(r)), nextCursor: p.nextCursor };
  }

  /** Sends a `webhook.test` event to this endpoint now and answers with the delivery after its first attempt. */
  async sendTest(tenantId: string, id: string): Promise<PublicDelivery> {
    const e = await this.row(tenantId, id);
    const at = this.now();
    const payload = this.payload(
      'webhook.test',
      { tenantId, webhookId: id, message: 'A test event from Postern.' },
      at,
    );
    return this.deliverNow(this.deliveryRow(e, `evt_${timeOrderedId()}`, 'webhook.test', payload, at));
  }

  /** Sends a delivery's event again (same `webhook-id`), as a new delivery attempted now. */
  async redeliver(tenantId: string, id: string, deliveryId: string): Promise<PublicDelivery> {
    const e = await this.row(tenantId, id);
    const old = await this.d.store.getDelivery(tenantId, deliveryId);
    if (!old || old.endpoint_id !== id)
      throw new AppError('webhook.delivery_not_found', `There is no delivery ${deliveryId} of webhook ${id}.`);
    return this.deliverNow(this.deliveryRow(e, old.event_id, old.event_type, old.payload, this.now()));
  }

  /** Inserts a delivery leased to this instance, makes its first attempt, and answers with it. */
  private async deliverNow(row: WebhookDeliveryRow): Promise<PublicDelivery> {
    const leased: WebhookDeliveryRow = {
      ...row,
      state: 'sending',
      lease_owner: this.instanceId,
      lease_until: new Date(this.now().getTime() + this.o.leaseMs).toISOString(),
    };
    await this.d.store.insertDeliveries([leased]);
    await this.attempt(leased, true);
    return this.toPublicDelivery((await this.d.store.getDelivery(row.tenant_id, row.id)) ?? leased);
  }

  // ── the worker ────────────────────────────────────────────────────────────────

  start(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => this.kick(), this.o.pollMs);
    this.timer.unref();
    this.kick();
  }

  /** Looks for due deliveries now (also called by the timer and after an emit). */
  kick(): void {
    if (this.closed || !this.timer) return;
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
    const room = this.o.batch - this.inFlight.size;
    if (room <= 0) return;
    const now = this.now();
    const rows = await this.d.store.claim(
      this.instanceId,
      now.toISOString(),
      new Date(now.getTime() + this.o.leaseMs).toISOString(),
      room,
    );
    for (const row of rows) {
      const t = this.attempt(row, false)
        .catch(() => undefined)
        .finally(() => this.inFlight.delete(t));
      this.inFlight.add(t);
    }
  }

  /** One attempt of a delivery this instance holds; then it ends or is rescheduled. */
  private async attempt(row: WebhookDeliveryRow, explicit: boolean): Promise<void> {
    const now = this.now();
    const endpoint = await this.d.store.getEndpoint(row.tenant_id, row.endpoint_id);
    if (!endpoint) {
      await this.settle(row, 'failed', row.attempts, null, 'The webhook was deleted.');
      return;
    }
    if (endpoint.enabled !== 1 && !explicit) {
      await this.settle(row, 'failed', row.attempts, null, 'The webhook is disabled.');
      return;
    }
    const secrets = [this.d.keyring.decrypt(endpoint.secret, this.aad(endpoint.tenant_id, endpoint.id))];
    if (endpoint.previous_secret && endpoint.previous_until && endpoint.previous_until > now.toISOString())
      secrets.push(this.d.keyring.decrypt(endpoint.previous_secret, this.aad(endpoint.tenant_id, endpoint.id)));
    const headers = signedHeaders(secrets, row.event_id, Math.floor(now.getTime() / 1000), row.payload);
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await this.d.fetch(endpoint.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'Postern-Webhooks/1', ...headers },
        body: row.payload,
        signal: AbortSignal.timeout(this.o.timeoutMs),
      });
      status = res.status;
      // Drained, not kept (cancelling a body mid-stream upsets Node's stream adapter); the timeout bounds it.
      await drain(res.body).catch(() => undefined);
      if (res.status < 200 || res.status > 299) error = `The receiver answered HTTP ${res.status}.`;
    } catch (err) {
      error = describeFailure(err, this.o.timeoutMs);
    }
    const attempts = Number(row.attempts) + 1;
    const at = this.now();
    if (!error) {
      await this.settle(row, 'delivered', attempts, status, null);
      this.d.countAttempt?.('delivered');
      if (endpoint.failing_since)
        await this.d.store.updateEndpoint(endpoint.tenant_id, endpoint.id, { failing_since: null });
      return;
    }
    const retryAt = new Date(at.getTime() + this.backoff(attempts));
    if (retryAt.toISOString() >= row.give_up_at) {
      await this.settle(row, 'failed', attempts, status, error);
      this.d.countAttempt?.('failed');
    } else {
      await this.settle(row, 'queued', attempts, status, error, retryAt.toISOString());
      this.d.countAttempt?.('retry');
    }
    await this.noteFailure(endpoint, error, at);
  }

  /** Exponential back-off with jitter: about base, 2×base, 4×base … up to the maximum. */
  private backoff(attempts: number): number {
    const d = Math.min(this.o.retryMaxMs, this.o.retryBaseMs * 2 ** Math.min(30, attempts - 1));
    return Math.round(d / 2 + Math.random() * (d / 2));
  }

  private async noteFailure(e: WebhookEndpointRow, error: string, at: Date): Promise<void> {
    if (!e.failing_since) {
      await this.d.store.updateEndpoint(e.tenant_id, e.id, { failing_since: at.toISOString() });
      return;
    }
    if (e.enabled === 1 && at.getTime() - Date.parse(e.failing_since) >= this.o.windowMs) {
      await this.d.store.updateEndpoint(e.tenant_id, e.id, {
        enabled: 0,
        disabled_reason: `Disabled on ${at.toISOString()}: every delivery failed for 24 hours (last: ${error}) Fix the receiver, then enable the webhook again.`,
        updated_at: at.toISOString(),
      });
      this.endpoints.delete(e.tenant_id);
    }
  }

  private async settle(
    row: WebhookDeliveryRow,
    state: 'queued' | 'delivered' | 'failed',
    attempts: number,
    status: number | null,
    error: string | null,
    next?: string,
  ): Promise<void> {
    const at = this.now().toISOString();
    await this.d.store.settle(row.id, row.lease_owner ?? this.instanceId, {
      state,
      attempts,
      next_attempt_at: next ?? row.next_attempt_at,
      last_status: status,
      last_error: error ? error.slice(0, 500) : null,
      updated_at: at,
      finished_at: state === 'queued' ? null : at,
    });
  }

  /** Finished deliveries older than `before` go (retention, SPEC §15). */
  purge(before: string, limit = 200): Promise<number> {
    return this.d.store.purge(before, limit);
  }

  async close(graceMs = 5_000): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const all = Promise.allSettled([this.polling, ...this.inFlight]);
    let t: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise<void>((r) => (t = setTimeout(r, graceMs)))]);
    if (t) clearTimeout(t);
  }
}

async function drain(body: ReadableStream<Uint8Array> | null): Promise<void> {
  if (!body) return;
  const reader = body.getReader();
  for (;;) if ((await reader.read()).done) return;
}

function invalid(path: string, message: string): AppError {
  return new AppError('request.invalid', message, { issues: [{ path, message }] });
}

function uniqueEvents(events: readonly WebhookEventType[]): WebhookEventType[] {
  const set = new Set(events);
  return WEBHOOK_EVENTS.filter((e) => set.has(e));
}

/** A sentence for a failed request, without the receiver's body (it may echo anything). */
function describeFailure(err: unknown, timeoutMs: number): string {
  if (isConnectorError(err)) return err.message;
  const e = err as { name?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError')
    return `The receiver did not answer within ${timeoutMs / 1000} s.`;
  const blocked = findBlocked(err);
  if (blocked) return blocked;
  const code = e.cause?.code;
  if (code === 'ECONNREFUSED') return 'The receiver refused the connection.';
  if (code) return `The receiver could not be reached (${code}).`;
  return 'The receiver could not be reached.';
}

function findBlocked(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 5 && e; i++) {
    if (isConnectorError(e)) return e.message;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
