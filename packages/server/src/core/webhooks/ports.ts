/** Storage interfaces of event webhooks out (SPEC §16). */
import type { Page, PageRequest } from '../ports.js';

export const WEBHOOK_EVENTS = [
  'email.sent',
  'email.failed',
  'email.delivered',
  'email.bounced',
  'email.complained',
  'email.suppressed',
  'user.created',
  'user.signed_in',
  'user.password_changed',
  'user.email_changed',
  'verification.failed_too_often',
  'verification.rate_limited',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

/** A stored endpoint; secrets are encrypted with the keyring. */
export interface WebhookEndpointRow {
  id: string;
  tenant_id: string;
  url: string;
  /** JSON array of event types. */
  events: string;
  enabled: number;
  secret: string;
  previous_secret: string | null;
  /** Until when the previous secret still signs (a rotation signs with both for 24 h). */
  previous_until: string | null;
  /** When the current run of failed deliveries began; null while deliveries succeed. */
  failing_since: string | null;
  disabled_reason: string | null;
  created_at: string;
  updated_at: string;
}

export type WebhookDeliveryState = 'queued' | 'sending' | 'delivered' | 'failed';

export interface WebhookDeliveryRow {
  id: string;
  tenant_id: string;
  endpoint_id: string;
  /** The `webhook-id`: the same on every attempt and redelivery of one event. */
  event_id: string;
  event_type: string;
  /** The JSON body sent (no code or secret in it). */
  payload: string;
  state: WebhookDeliveryState;
  attempts: number;
  lease_owner: string | null;
  lease_until: string | null;
  next_attempt_at: string;
  /** After this moment a failed attempt ends the delivery `failed` (24 h after it was made). */
  give_up_at: string;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

export interface WebhookStore {
  insertEndpoint(row: WebhookEndpointRow): Promise<void>;
  getEndpoint(tenantId: string, id: string): Promise<WebhookEndpointRow | undefined>;
  listEndpoints(tenantId: string, page: PageRequest): Promise<Page<WebhookEndpointRow>>;
  /** Enabled endpoints of a tenant (few per tenant), for emitting. */
  enabledEndpoints(tenantId: string): Promise<WebhookEndpointRow[]>;
  updateEndpoint(
    tenantId: string,
    id: string,
    set: Partial<Omit<WebhookEndpointRow, 'id' | 'tenant_id' | 'created_at'>>,
  ): Promise<boolean>;
  /** Deletes the endpoint and its deliveries. */
  deleteEndpoint(tenantId: string, id: string): Promise<boolean>;

  insertDeliveries(rows: readonly WebhookDeliveryRow[]): Promise<void>;
  getDelivery(tenantId: string, id: string): Promise<WebhookDeliveryRow | undefined>;
  listDeliveries(tenantId: string, endpointId: string, page: PageRequest): Promise<Page<WebhookDeliveryRow>>;
  /** Claims due rows and rows whose lease expired, leasing them to `owner`. */
  claim(owner: string, now: string, leaseUntil: string, limit: number): Promise<WebhookDeliveryRow[]>;
  /** Ends or reschedules a claimed row, only while `owner` holds it; false when the lease was lost. */
  settle(
    id: string,
    owner: string,
    set: Pick<
      WebhookDeliveryRow,
      'state' | 'attempts' | 'next_attempt_at' | 'last_status' | 'last_error' | 'updated_at' | 'finished_at'
    >,
  ): Promise<boolean>;
  /** Deletes up to `limit` finished deliveries that finished before `before`. */
  purge(before: string, limit: number): Promise<number>;
}
