import { timeOrderedId } from '../../lib/ids.js';
import { randomToken, sha256Hex, type Keyring } from '../../lib/crypto.js';
import { AppError } from '../errors.js';
import { normalizeEmail } from '../email-address.js';
import type { Clock, IntegrationKind, IntegrationRecord, IntegrationStore, Page, PageRequest, Tenant } from '../ports.js';
import type { Messages } from '../delivery/messages.js';
import { newSupabaseSecret, signedHeaders, verifyStandardWebhook } from './supabase.js';
import type { OutgoingMessage } from './outgoing.js';

export interface IntegrationView {
  id: string;
  kind: IntegrationKind;
  name: string;
  /** The address the other system calls. */
  url: string;
  supabaseUrl: string | null;
  createdAt: string;
}

export interface CreateIntegration {
  kind: IntegrationKind;
  name?: string | undefined;
  supabaseUrl?: string | undefined;
}

const aad = (r: { id: string; tenantId: string }) => `integration:${r.tenantId}:${r.id}`;

/** Hooks of other auth systems (SPEC §18): their secrets, their authentication, their sends. */
export class Integrations {
  constructor(
    private readonly store: IntegrationStore,
    private readonly keyring: Keyring,
    private readonly messages: Messages,
    private readonly clock: Clock,
    private readonly publicUrl: string,
  ) {}

  url(tenantId: string, kind: IntegrationKind): string {
    const prefix = tenantId === 'default' ? '' : `/t/${encodeURIComponent(tenantId)}`;
    return `${this.publicUrl.replace(/\/+$/, '')}${prefix}/api/integrations/${kind}/send-email`;
  }

  private view(r: IntegrationRecord): IntegrationView {
    return {
      id: r.id,
      kind: r.kind,
      name: r.name,
      url: this.url(r.tenantId, r.kind),
      supabaseUrl: r.supabaseUrl,
      createdAt: r.createdAt,
    };
  }

  async create(tenantId: string, req: CreateIntegration): Promise<IntegrationView & { secret: string }> {
    if (req.supabaseUrl !== undefined && req.kind !== 'supabase') {
      throw new AppError('request.invalid', 'supabaseUrl belongs to Supabase integrations only.', {
        issues: [{ path: 'supabaseUrl', message: 'only for kind "supabase"' }],
      });
    }
    const secret = req.kind === 'supabase' ? newSupabaseSecret() : randomToken('pint_');
    const id = timeOrderedId();
    const rec: IntegrationRecord = {
      id,
      tenantId,
      kind: req.kind,
      name: req.name ?? req.kind,
      secret: this.keyring.encrypt(secret, aad({ id, tenantId })),
      secretHash: sha256Hex(secret),
      supabaseUrl: req.supabaseUrl ? req.supabaseUrl.replace(/\/+$/, '') : null,
      createdAt: this.clock.now().toISOString(),
    };
    await this.store.create(rec);
    return { ...this.view(rec), secret };
  }

  async list(tenantId: string, page: PageRequest): Promise<Page<IntegrationView>> {
    const p = await this.store.list(tenantId, page);
    return { items: p.items.map((r) => this.view(r)), nextCursor: p.nextCursor };
  }

  async get(tenantId: string, id: string): Promise<IntegrationView> {
    const r = await this.store.get(tenantId, id);
    if (!r) throw new AppError('integration.not_found');
    return this.view(r);
  }

  async delete(tenantId: string, id: string): Promise<void> {
    if (!(await this.store.delete(tenantId, id))) throw new AppError('integration.not_found');
  }

  /** The Supabase integration whose secret signed this call (Standard Webhooks). */
  async authenticateSupabase(
    tenantId: string,
    headers: Record<string, string | string[] | undefined>,
    rawBody: string,
  ): Promise<IntegrationRecord> {
    const h = signedHeaders(headers);
    const all = await this.store.ofKind(tenantId, 'supabase');
    if (all.length === 0)
      throw new AppError(
        'integration.unauthorized',
        'This tenant has no Supabase integration; create one with POST /api/integrations.',
      );
    const secrets = all.map((r) => this.keyring.decrypt(r.secret, aad(r)));
    return all[verifyStandardWebhook(secrets, h, rawBody, this.clock.now().getTime())]!;
  }

  /** The Logto or Kratos integration whose secret this is. */
  async authenticateSecret(
    tenantId: string,
    kind: 'logto' | 'kratos',
    secret: string | undefined,
  ): Promise<IntegrationRecord> {
    const r = secret ? await this.store.findByHash(tenantId, kind, sha256Hex(secret)) : undefined;
    if (!r) throw new AppError('integration.unauthorized');
    return r;
  }

  /** Renders Postern's templates and sends each message through the outbox; the first failure throws. */
  async send(tenant: Tenant, messages: OutgoingMessage[], ip: string | undefined): Promise<string[]> {
    // Every address is checked before anything is sent, so a bad one sends nothing.
    const to = messages.map((m) => {
      try {
        return normalizeEmail(m.to, 'to').address;
      } catch (err) {
        throw new AppError(
          'integration.invalid_payload',
          `The recipient "${m.to.slice(0, 320)}" is not an email address Postern can send to.`,
          {},
          { cause: err },
        );
      }
    });
    const ids: string[] = [];
    for (const [i, m] of messages.entries()) {
      const out = await this.messages.send(
        {
          tenantId: tenant.id,
          to: to[i]!,
          templateType: m.templateType,
          locale: m.locale,
          variables: m.variables,
          ip,
        },
        'integration',
      );
      if (!out.ok) throw out.error!;
      ids.push(out.logId);
    }
    return ids;
  }
}
