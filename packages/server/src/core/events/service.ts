import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { isEventRejection, type ProviderEvent, type ProviderEventRequest } from '@postern/connector-kit';
import type { ConnectorCatalog } from '../ports.js';
import { timeOrderedId } from '../../lib/ids.js';
import { AppError } from '../errors.js';
import { normalizeEmail } from '../email-address.js';
import type { Clock, ConnectorStore, StoredConnector } from '../ports.js';
import type { EventCredentials, ProviderEventStore } from './ports.js';
import type { Suppressions } from './suppressions.js';

export interface ProviderEventsDeps {
  registry: ConnectorCatalog;
  connectors: Pick<ConnectorStore, 'getEmailConnector' | 'get'>;
  store: ProviderEventStore;
  suppressions: Suppressions;
  clock: Clock;
  /** The outbound-policy fetch (SNS certificates and subscription confirmations). */
  fetch: typeof fetch;
  snsCertHosts: readonly string[];
  publicUrl: string;
  /** Event webhooks out (SPEC §16): `email.delivered`, `email.bounced`, `email.complained`. */
  webhooks?: {
    emit(
      tenantId: string,
      type: 'email.delivered' | 'email.bounced' | 'email.complained',
      data: Record<string, unknown>,
    ): Promise<void>;
  };
}

export interface ReceiveResult {
  /** Events the request carried (after normalisation). */
  received: number;
  /** Events matched to a message and recorded now (not seen before). */
  recorded: number;
  /** Events for messages Postern did not send, or repeats. */
  ignored: number;
}

/** Replay keys are kept a day: longer than any provider's signed-timestamp window or SNS's retry hour. */
const REPLAY_KEEP_MS = 24 * 3600_000;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Provider events in (SPEC §16): the factory's `parseEvents` checks the provider's own
 * authentication and normalises the body; this refuses replays, matches each event to the
 * email log by provider message id, records it once, and puts hard-bounced and
 * complaining addresses on the suppression list.
 */
export class ProviderEvents {
  constructor(private readonly d: ProviderEventsDeps) {}

  /** The factory takes events (built-in parsers or a custom connector's `parseEvents`). */
  takesEvents(factoryId: string): boolean {
    return typeof this.d.registry.get(factoryId)?.parseEvents === 'function';
  }

  async receive(tenantId: string, factoryId: string, request: ProviderEventRequest): Promise<ReceiveResult> {
    const factory = this.d.registry.get(factoryId);
    if (!factory?.parseEvents) {
      throw new AppError('connector.factory_not_found', `No connector factory "${factoryId}" takes delivery events.`, {
        factoryId,
        available: this.d.registry
          .list()
          .filter((f) => f.parseEvents)
          .map((f) => f.id),
      });
    }
    const connector = await this.d.connectors.getEmailConnector(tenantId);
    if (!connector || connector.factoryId !== factoryId)
      throw new AppError('connector.not_found', `This tenant's email connector is not ${factory.name}.`);
    const now = this.d.clock.now();
    let parsed;
    try {
      parsed = await factory.parseEvents(request, connector.config, {
        now,
        fetch: this.d.fetch,
        snsCertHosts: this.d.snsCertHosts,
        checkBasicAuth: (u, p) => this.checkCredentials(tenantId, connector.id, u, p),
      });
    } catch (err) {
      if (!isEventRejection(err))
        throw new AppError(
          'request.invalid',
          'The event could not be read.',
          { issues: [{ path: 'body', message: 'unreadable event' }] },
          { cause: err },
        );
      if (err.reason === 'malformed')
        throw new AppError('request.invalid', err.message, {
          issues: err.issues.length ? err.issues : [{ path: 'body', message: 'malformed' }],
        });
      throw new AppError('webhook.invalid_signature', err.message, { reason: err.reason });
    }
    if (parsed.replayKey !== undefined) {
      const key = parsed.replayKey.length > 200 ? sha256(parsed.replayKey) : parsed.replayKey;
      if (!(await this.d.store.claimReplay(tenantId, factoryId, key, now.toISOString()))) {
        throw new AppError('webhook.invalid_signature', 'This request was accepted before; a replay changes nothing.', {
          reason: 'replayed',
        });
      }
      if (parsed.acknowledge) {
        try {
          await parsed.acknowledge();
        } catch (err) {
          // Let a retry of the same message try again.
          await this.d.store.releaseReplay(tenantId, factoryId, key);
          throw new AppError(
            'connector.unavailable',
            'The subscription could not be confirmed at the provider; try again.',
            {},
            { cause: err },
          );
        }
      }
    }
    let recorded = 0;
    for (const [i, e] of parsed.events.entries()) {
      if (
        await this.apply(
          tenantId,
          factoryId,
          e,
          `${factoryId}:${e.eventId ?? `${parsed.replayKey ?? sha256(request.rawBody.toString('base64'))}:${i}`}`,
        )
      )
        recorded++;
    }
    return { received: parsed.events.length, recorded, ignored: parsed.events.length - recorded };
  }

  private async apply(tenantId: string, factoryId: string, e: ProviderEvent, dedupeKey: string): Promise<boolean> {
    const log = await this.d.store.findLog(tenantId, e.providerMessageId.slice(0, 512));
    if (!log) return false;
    // Postern sends to one recipient; an event about another address is not about this message.
    if (keyOf(e.recipient) !== keyOf(log.to)) return false;
    const fresh = await this.d.store.record({
      id: timeOrderedId(),
      tenantId,
      emailLogId: log.id,
      type: e.type,
      bounceType: e.type === 'bounced' ? (e.bounceType ?? 'soft') : null,
      recipient: log.to,
      detail: e.detail ?? null,
      at: e.at,
      dedupeKey: dedupeKey.length > 300 ? sha256(dedupeKey) : dedupeKey,
      createdAt: this.d.clock.now().toISOString(),
    });
    if (!fresh) return false;
    if (e.type !== 'delayed')
      await this.d.webhooks?.emit(
        tenantId,
        e.type === 'delivered' ? 'email.delivered' : e.type === 'bounced' ? 'email.bounced' : 'email.complained',
        {
          emailLogId: log.id,
          to: log.to,
          providerMessageId: e.providerMessageId,
          source: factoryId,
          at: e.at,
          ...(e.type === 'bounced' ? { bounceType: e.bounceType ?? 'soft' } : {}),
          ...(e.detail ? { detail: e.detail } : {}),
        },
      );
    if (e.type === 'complained') await this.d.suppressions.add(tenantId, log.to, 'complaint', factoryId);
    else if (e.type === 'bounced' && e.bounceType === 'hard')
      await this.d.suppressions.add(tenantId, log.to, 'hard_bounce', factoryId);
    return true;
  }

  /** The events of some email log entries, oldest first. */
  eventsFor(tenantId: string, emailLogIds: readonly string[]) {
    return this.d.store.eventsFor(tenantId, emailLogIds);
  }

  purge(): Promise<number> {
    return this.d.store.purgeReplays(new Date(this.d.clock.now().getTime() - REPLAY_KEEP_MS).toISOString());
  }

  // ── the URL to paste at the provider ─────────────────────────────────────────

  private baseUrl(tenantId: string, factoryId: string): URL {
    return new URL(
      `${this.d.publicUrl}${tenantId === 'default' ? '' : `/t/${encodeURIComponent(tenantId)}`}/api/provider-events/${factoryId}`,
    );
  }

  /**
   * The events URL of a connector, or null when its factory takes no events. Postmark's
   * carries the generated basic-auth credentials: in full only in `fresh`, else masked.
   */
  async eventsUrl(
    c: Pick<StoredConnector, 'id' | 'tenantId' | 'factoryId'>,
    fresh?: { username: string; password: string },
  ): Promise<string | null> {
    if (!this.takesEvents(c.factoryId)) return null;
    const url = this.baseUrl(c.tenantId, c.factoryId);
    if (c.factoryId !== 'postmark') return url.href;
    if (fresh) return withCredentials(url, fresh.username, fresh.password);
    const creds = await this.d.store.getCredentials(c.tenantId, c.id);
    return creds ? withCredentials(url, creds.username, `••••${creds.passwordHint}`) : url.href;
  }

  /** Makes new basic-auth credentials for a connector (the old ones stop working). */
  async newCredentials(c: Pick<StoredConnector, 'id' | 'tenantId'>): Promise<{ username: string; password: string }> {
    const username = `postern-${randomBytes(4).toString('hex')}`;
    const password = randomBytes(24).toString('base64url');
    const row: EventCredentials = {
      tenantId: c.tenantId,
      connectorId: c.id,
      username,
      passwordHash: sha256(password),
      passwordHint: password.slice(-4),
      createdAt: this.d.clock.now().toISOString(),
    };
    await this.d.store.putCredentials(row);
    return { username, password };
  }

  private async checkCredentials(
    tenantId: string,
    connectorId: string,
    username: string,
    password: string,
  ): Promise<boolean> {
    const creds = await this.d.store.getCredentials(tenantId, connectorId);
    if (!creds) return false;
    // Compare both parts in constant time; the password only through its hash.
    const userOk = timingSafeEqual(Buffer.from(sha256(username)), Buffer.from(sha256(creds.username)));
    const passOk = timingSafeEqual(Buffer.from(sha256(password)), Buffer.from(creds.passwordHash));
    return userOk && passOk;
  }
}

function keyOf(email: string): string | undefined {
  try {
    return normalizeEmail(email).key;
  } catch {
    return undefined;
  }
}

function withCredentials(url: URL, username: string, password: string): string {
  // Built by hand: URL would percent-encode the mask's bullets.
  return `${url.protocol}//${encodeURIComponent(username)}:${password.startsWith('••••') ? password : encodeURIComponent(password)}@${url.host}${url.pathname}`;
}
