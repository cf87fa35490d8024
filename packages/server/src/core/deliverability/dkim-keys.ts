import { randomUUID } from 'node:crypto';
import type { DkimSigningKey } from '@postern/connector-kit';
import { AppError } from '../errors.js';
import type { Clock, ConnectorStore, DkimKey, DkimKeySource, DkimKeyStore, StoredConnector } from '../ports.js';
import { DeliverabilityInputError, dkimDnsValue, generateDkimKey, splitTxtValue } from './index.js';

export interface PublicDkimKey {
  id: string;
  domain: string;
  selector: string;
  dnsName: string;
  dnsValue: string;
  /** The TXT value split into strings of at most 255 characters, as DNS publishes it. */
  dnsStrings: string[];
  createdAt: string;
}

/**
 * How long the signing key of a From domain (or that it has none) is remembered for mail
 * submitted over SMTP. A key created or deleted through this instance is seen at once; on
 * another instance, within this time.
 */
const SIGNING_KEY_TTL_MS = 30_000;

export function inputError(err: unknown): never {
  if (err instanceof DeliverabilityInputError)
    throw new AppError('request.invalid', err.message, { issues: [{ path: err.field, message: err.message }] });
  throw err;
}

/**
 * DKIM keys (SPEC §12): RSA-2048, private key encrypted at rest, handed to the connector
 * whose config names one (the SMTP connector) as its context's `dkim`.
 */
export class DkimKeys implements DkimKeySource {
  private readonly byDomain = new Map<string, { until: number; key: Promise<DkimSigningKey | undefined> }>();

  constructor(
    private readonly store: DkimKeyStore,
    private readonly connectors: ConnectorStore,
    private readonly clock: Clock,
    /** The DKIM key a saved connector's config names (its factory's `dkimKeyId`), with the factory's name. */
    private readonly keyOf: (c: StoredConnector) => { keyId: string | undefined; connectorName: string },
  ) {}

  toPublic(k: DkimKey): PublicDkimKey {
    const dnsValue = dkimDnsValue(k.publicKeyPem);
    return {
      id: k.id,
      domain: k.domain,
      selector: k.selector,
      dnsName: `${k.selector}._domainkey.${k.domain}`,
      dnsValue,
      dnsStrings: splitTxtValue(dnsValue),
      createdAt: k.createdAt,
    };
  }

  async create(tenantId: string, domain: string, selector: string): Promise<PublicDkimKey> {
    const material = await generateDkimKey(domain, selector).catch(inputError);
    const key: DkimKey = {
      id: randomUUID(),
      tenantId,
      domain: material.domain,
      selector: material.selector,
      publicKeyPem: material.publicKeyPem,
      createdAt: this.clock.now().toISOString(),
    };
    const created = await this.store.create(key, material.privateKeyPem);
    this.forget(tenantId);
    if (!created) {
      throw new AppError(
        'dkim_key.already_exists',
        `A DKIM key for ${material.selector}._domainkey.${material.domain} exists already; delete it first to rotate, or use another selector.`,
      );
    }
    return this.toPublic(key);
  }

  async list(tenantId: string): Promise<PublicDkimKey[]> {
    return (await this.store.list(tenantId)).map((k) => this.toPublic(k));
  }

  async delete(tenantId: string, id: string): Promise<void> {
    if (!(await this.store.get(tenantId, id))) throw new AppError('dkim_key.not_found');
    const c = await this.connectors.getEmailConnector(tenantId);
    const uses = c && this.keyOf(c);
    if (c && uses && uses.keyId === id) {
      throw new AppError(
        'dkim_key.in_use',
        `The ${uses.connectorName} connector signs with this key; remove dkim from its config first.`,
        { connectorId: c.id },
      );
    }
    await this.store.delete(tenantId, id);
    this.forget(tenantId);
  }

  private forget(tenantId: string): void {
    for (const k of this.byDomain.keys()) if (k.startsWith(`${tenantId}\n`)) this.byDomain.delete(k);
  }

  async exists(tenantId: string, keyId: string): Promise<boolean> {
    return (await this.store.get(tenantId, keyId)) !== undefined;
  }

  /** The newest key the tenant has for a domain, ready to sign with (mail submitted over SMTP). */
  forDomain(tenantId: string, domain: string): Promise<DkimSigningKey | undefined> {
    const id = `${tenantId}\n${domain}`;
    const now = this.clock.now().getTime();
    const hit = this.byDomain.get(id);
    if (hit && hit.until > now) return hit.key;
    const key = this.findForDomain(tenantId, domain);
    this.byDomain.set(id, { until: now + SIGNING_KEY_TTL_MS, key });
    key.catch(() => this.byDomain.delete(id));
    return key;
  }

  private async findForDomain(tenantId: string, domain: string): Promise<DkimSigningKey | undefined> {
    const keys = (await this.store.list(tenantId))
      .filter((k) => k.domain === domain)
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
    return keys[0] ? this.signingKey(tenantId, keys[0].id) : undefined;
  }

  async signingKey(tenantId: string, keyId: string): Promise<DkimSigningKey | undefined> {
    const key = await this.store.get(tenantId, keyId);
    const privateKey = key && (await this.store.privateKey(tenantId, keyId));
    return key && privateKey ? { domainName: key.domain, keySelector: key.selector, privateKey } : undefined;
  }
}
