import type { TemplateType } from '@postern/connector-kit';
import { normalizeEmail } from '../email-address.js';
import type { ConnectorStore } from '../ports.js';
import type { ConnectorService } from '../connectors/service.js';
import type { EmailSender, SendOutcome } from './sender.js';

export interface TestSendRequest {
  tenantId: string;
  factoryId: string;
  /** The unsaved config; masked secrets are filled from the saved connector of the same factory. */
  config: unknown;
  to: string;
  templateType: TemplateType;
  locale?: string | undefined;
  acceptLanguage?: string | undefined;
  ip?: string | undefined;
  /** Whose saved secrets fill masked ones: the primary connector (default) or the fallback (SPEC §15). */
  role?: 'primary' | 'fallback' | undefined;
}

/**
 * One real test message through an unsaved config (SPEC §3.2): masked secrets are filled
 * from the saved connector unless a destination field changed (ConnectorService.validate);
 * the connector is built for
 * this send only and closed afterwards; the delivery rules (timeouts, retries) apply, and a
 * failure is thrown as the connector error.
 */
export class ConnectorTestSend {
  constructor(
    private readonly connectors: ConnectorService,
    private readonly store: Pick<ConnectorStore, 'getEmailConnector'>,
    private readonly sender: EmailSender,
    private readonly fallbackStore?: Pick<ConnectorStore, 'getEmailConnector'>,
  ) {}

  async send(req: TestSendRequest): Promise<SendOutcome> {
    // Checked like every address (control characters, quotes, display names): 400 request.invalid.
    const to = normalizeEmail(req.to, 'to').address;
    const saved = await (req.role === 'fallback' && this.fallbackStore ? this.fallbackStore : this.store).getEmailConnector(req.tenantId);
    const config = await this.connectors.validateFor(req.tenantId, req.factoryId, req.config, saved);
    const { factory, connector } = await this.connectors.build(req.tenantId, req.factoryId, config);
    try {
      const out = await this.sender.sendWith(factory, connector, config, {
        tenantId: req.tenantId,
        to,
        templateType: req.templateType,
        locale: req.locale,
        acceptLanguage: req.acceptLanguage,
        variables: { code: '000000', expiresInMinutes: 10 },
        ip: req.ip,
        source: 'test',
        test: { role: req.role ?? 'primary' },
      });
      if (!out.ok) throw out.error!;
      return out;
    } finally {
      void connector.close?.().catch(() => undefined);
    }
  }
}
