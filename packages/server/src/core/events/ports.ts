/** Storage interfaces of provider events and the suppression list (SPEC §16). */
import type { Page, PageRequest } from '../ports.js';

export type DeliveryStatus = 'delivered' | 'delayed' | 'bounced' | 'complained';
export type SuppressionReason = 'hard_bounce' | 'complaint' | 'manual';

export interface Suppression {
  tenantId: string;
  /** The lookup key of the address (lower-cased local part, ASCII domain). */
  emailKey: string;
  email: string;
  reason: SuppressionReason;
  /** Where it came from: a factory id (`aws-ses`, …) or `api`. */
  source: string;
  createdAt: string;
  /** null: stays until removed. */
  expiresAt: string | null;
}

export interface SuppressionStore {
  /** The entry for an address unless it has expired by `now`. */
  find(tenantId: string, emailKey: string, now: string): Promise<Suppression | undefined>;
  /**
   * Adds or renews an entry in one statement. An entry that never expires (a complaint, a
   * manual one) is kept as it is; an expiring or expired one is replaced.
   */
  upsert(s: Suppression): Promise<void>;
  remove(tenantId: string, emailKey: string): Promise<boolean>;
  /** Live entries, newest first; `search` matches part of the address. */
  list(tenantId: string, search: string | undefined, now: string, page: PageRequest): Promise<Page<Suppression>>;
  purgeExpired(now: string): Promise<number>;
}

export interface EmailEvent {
  type: DeliveryStatus;
  bounceType: 'hard' | 'soft' | null;
  recipient: string;
  detail: string | null;
  at: string;
}

export interface NewEmailEvent extends EmailEvent {
  id: string;
  tenantId: string;
  emailLogId: string;
  dedupeKey: string;
  createdAt: string;
}

export interface EventCredentials {
  tenantId: string;
  connectorId: string;
  username: string;
  passwordHash: string;
  passwordHint: string;
  createdAt: string;
}

export interface ProviderEventStore {
  /** The email log entry a provider message id belongs to (the id as stored, with or without angle brackets). */
  findLog(tenantId: string, providerMessageId: string): Promise<{ id: string; to: string } | undefined>;
  /**
   * Records an event once (false when its dedupe key is known) and moves the entry's
   * delivery status forward (delayed < delivered < bounced < complained).
   */
  record(event: NewEmailEvent): Promise<boolean>;
  eventsFor(tenantId: string, emailLogIds: readonly string[]): Promise<Map<string, EmailEvent[]>>;
  /** false when this replay key was accepted before. */
  claimReplay(tenantId: string, factoryId: string, key: string, at: string): Promise<boolean>;
  releaseReplay(tenantId: string, factoryId: string, key: string): Promise<void>;
  purgeReplays(before: string): Promise<number>;
  getCredentials(tenantId: string, connectorId: string): Promise<EventCredentials | undefined>;
  /** Replaces the tenant's credentials (those of earlier connectors go too). */
  putCredentials(c: EventCredentials): Promise<void>;
}
