import { randomUUID } from 'node:crypto';
import { ConnectorError, type Connector, type ConnectorContext, type ConnectorFactory } from '@postern/connector-kit';
import { AppError } from '../errors.js';
import type { Clock, ConnectorStore, DkimKey, DkimKeyStore } from '../ports.js';
import { DeliverabilityInputError, dkimDnsValue, generateDkimKey, splitTxtValue } from './index.js';
import { createSmtpConnector, type SmtpConfig } from '../../connectors/smtp/index.js';
import type { ConnectorHooks } from '../connectors/service.js';

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

export function inputError(err: unknown): never {
  if (err instanceof DeliverabilityInputError) throw new AppError('request.invalid', err.message, { issues: [{ path: err.field, message: err.message }] });
  throw err;
}

/** DKIM keys (SPEC §12): RSA-2048, private key encrypted at rest, used by the SMTP connector. */
export class DkimKeys {
  constructor(
    private readonly store: DkimKeyStore,
    private readonly connectors: ConnectorStore,
    private readonly clock: Clock,
  ) {}

  toPublic(k: DkimKey): PublicDkimKey {
    const dnsValue = dkimDnsValue(k.publicKeyPem);
    return { id: k.id, domain: k.domain, selector: k.selector, dnsName: `${k.selector}._domainkey.${k.domain}`, dnsValue, dnsStrings: splitTxtValue(dnsValue), createdAt: k.createdAt };
  }

  async create(tenantId: string, domain: string, selector: string): Promise<PublicDkimKey> {
    const material = await generateDkimKey(domain, selector).catch(inputError);
    const key: DkimKey = { id: randomUUID(), tenantId, domain: material.domain, selector: material.selector, publicKeyPem: material.publicKeyPem, createdAt: this.clock.now().toISOString() };
    if (!(await this.store.create(key, material.privateKeyPem))) {
      throw new AppError('dkim_key.already_exists', `A DKIM key for ${material.selector}._domainkey.${material.domain} exists already; delete it first to rotate, or use another selector.`);
    }
    return this.toPublic(key);
  }

  async list(tenantId: string): Promise<PublicDkimKey[]> {
    return (await this.store.list(tenantId)).map((k) => this.toPublic(k));
  }

  async delete(tenantId: string, id: string): Promise<void> {
    if (!(await this.store.get(tenantId, id))) throw new AppError('dkim_key.not_found');
    const c = await this.connectors.getEmailConnector(tenantId);
    if (c?.factoryId === 'smtp' && (c.config.dkim as { keyId?: string } | undefined)?.keyId === id) {
      throw new AppError('dkim_key.in_use', 'The SMTP connector signs with this key; remove dkim from its config first.', { connectorId: c.id });
    }
    await this.store.delete(tenantId, id);
  }

  /** The connector hooks that give the SMTP connector its DKIM key. */
  hooks(): ConnectorHooks {
    return {
      checkReferences: async (tenantId, factoryId, config) => {
        const keyId = (config.dkim as { keyId?: string } | undefined)?.keyId;
        if (factoryId !== 'smtp' || !keyId) return;
        if (!(await this.store.get(tenantId, keyId))) {
          throw new ConnectorError('connector.bad_config', `No DKIM key "${keyId}" in this tenant; create one with POST /api/dkim-keys.`, { details: { issues: [{ path: 'config.dkim.keyId', message: 'no such DKIM key' }] } });
        }
      },
      create: async (tenantId: string, factory: ConnectorFactory, config: Record<string, unknown>, ctx: ConnectorContext): Promise<Connector | undefined> => {
        const keyId = (config.dkim as { keyId?: string } | undefined)?.keyId;
        if (factory.id !== 'smtp' || !keyId) return undefined;
        const key = await this.store.get(tenantId, keyId);
        const privateKey = key && (await this.store.privateKey(tenantId, keyId));
        if (!key || !privateKey) throw new ConnectorError('connector.bad_config', `The DKIM key "${keyId}" of the SMTP connector no longer exists.`);
        return createSmtpConnector(config as SmtpConfig, ctx, { dkim: { domainName: key.domain, keySelector: key.selector, privateKey } });
      },
    };
  }
}
