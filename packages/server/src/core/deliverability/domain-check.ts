import type { ConnectorStore, DkimKeyStore } from '../ports.js';
import { checkDomain, type DomainReport } from './check.js';
import type { TxtResolver } from './resolver.js';
import { inputError } from './dkim-keys.js';

/**
 * A tenant's domain check (SPEC §12): its active connector says which SPF include to look
 * for, and a stored DKIM key for the selector is what the published key must equal.
 */
export class DomainChecks {
  constructor(
    private readonly connectors: Pick<ConnectorStore, 'getEmailConnector'>,
    private readonly keys: Pick<DkimKeyStore, 'find'>,
    private readonly resolve: TxtResolver,
  ) {}

  async check(tenantId: string, domain: string, dkimSelector?: string): Promise<DomainReport> {
    const connector = await this.connectors.getEmailConnector(tenantId);
    const stored = dkimSelector
      ? await this.keys.find(tenantId, domain.trim().toLowerCase().replace(/\.$/, ''), dkimSelector)
      : undefined;
    return checkDomain({
      domain,
      ...(dkimSelector ? { dkimSelector } : {}),
      ...(connector ? { providerId: connector.factoryId } : {}),
      ...(stored ? { expectedDkimPublicKeyPem: stored.publicKeyPem } : {}),
      resolve: this.resolve,
    }).catch(inputError);
  }
}
