import { timeOrderedId } from '../../lib/ids.js';
import type { ConnectorError, ConnectorFactory, Connector, EmailMessage, TemplateType } from '@postern/connector-kit';
import { deliver, type DeliveryOutcome, type DeliveryRules, DEFAULT_RULES } from '../delivery/pipeline.js';
import type { Metrics } from '../../lib/metrics.js';
import type { Clock, EmailLogStore, EmailStatus } from '../ports.js';
import { AppError } from '../errors.js';
import type { ConnectorService } from './connectors.js';
import type { MessageRenderer } from './render.js';

export interface SendRequest {
  tenantId: string;
  to: string;
  templateType: TemplateType;
  locale?: string | undefined;
  acceptLanguage?: string | undefined;
  variables: Record<string, unknown>;
  ip?: string | undefined;
  /** The message's stable id (the outbox row's), the same on every attempt; a new one when absent. */
  id?: string | undefined;
}

export interface SendOutcome extends DeliveryOutcome {
  logId: string;
  status: EmailStatus;
}

export const CODE_MASK = '••••••';

/** A subject with the code in it is logged with the code masked (SPEC §11). */
export function maskCode(text: string, code: unknown): string {
  return typeof code === 'string' && code.length >= 4 ? text.split(code).join(CODE_MASK) : text;
}

/** render → connector (timeouts, retries) → email log → metrics. */
export class EmailSender {
  constructor(
    private readonly connectors: ConnectorService,
    private readonly renderer: MessageRenderer,
    private readonly logs: EmailLogStore,
    private readonly metrics: Metrics,
    private readonly clock: Clock,
    private readonly rules: DeliveryRules = DEFAULT_RULES,
  ) {}

  /**
   * Sends through the tenant's saved connector. `logIf` decides whether this outcome goes to
   * the email log (the outbox logs only the final outcome of a message it will retry).
   */
  async send(req: SendRequest, logIf?: (outcome: DeliveryOutcome) => boolean): Promise<SendOutcome> {
    const live = await this.connectors.getLive(req.tenantId);
    if (!live) throw new AppError('connector.not_configured', 'This tenant has no email connector; set one up under Connectors.');
    return this.sendWith(live.factory, live.connector, live.stored.config, req, logIf);
  }

  /** Sends through a given connector instance (test sends with an unsaved config). */
  async sendWith(factory: ConnectorFactory, connector: Connector, config: Record<string, unknown>, req: SendRequest, logIf?: (outcome: DeliveryOutcome) => boolean): Promise<SendOutcome> {
    const rendered = await this.renderer.render({
      tenantId: req.tenantId,
      templateType: req.templateType,
      locale: req.locale,
      acceptLanguage: req.acceptLanguage,
      variables: req.variables,
      customTemplates: factory.capabilities.customTemplates,
      connectorBranding: factory.capabilities.customTemplates ? undefined : config,
    });
    const message: EmailMessage = {
      id: req.id ?? timeOrderedId(),
      tenantId: req.tenantId,
      from: rendered.senderName ? { name: rendered.senderName } : {},
      to: req.to,
      ...(rendered.replyTo ? { replyTo: rendered.replyTo } : {}),
      subject: rendered.subject,
      html: rendered.html,
      text: rendered.text,
      headers: {},
      templateType: req.templateType,
      locale: rendered.locale,
      variables: rendered.variables,
      ...(req.ip ? { ip: req.ip } : {}),
    };
    const outcome = await deliver(connector, message, this.rules);
    if (logIf && !logIf(outcome)) return { ...outcome, logId: '', status: outcome.ok ? 'sent' : 'failed' };
    return this.record(factory.id, message, outcome);
  }

  /** Logs a message that was deliberately not sent (test addresses). */
  async recordSuppressed(factoryId: string, req: { tenantId: string; to: string; templateType: TemplateType; subject: string }): Promise<void> {
    await this.logs.record({
      id: timeOrderedId(),
      tenantId: req.tenantId,
      factoryId,
      templateType: req.templateType,
      to: req.to,
      subject: req.subject,
      status: 'suppressed',
      providerMessageId: null,
      error: null,
      attempts: 0,
      durationMs: 0,
      createdAt: this.clock.now().toISOString(),
    });
    this.metrics.sends.inc({ factory: factoryId, status: 'suppressed' });
  }

  private async record(factoryId: string, message: EmailMessage, outcome: DeliveryOutcome): Promise<SendOutcome> {
    const status: EmailStatus = outcome.ok ? (outcome.captured ? 'captured' : 'sent') : 'failed';
    const logId = timeOrderedId();
    const err: ConnectorError | undefined = outcome.error;
    await this.logs.record({
      id: logId,
      tenantId: message.tenantId,
      factoryId,
      templateType: message.templateType,
      to: message.to,
      subject: maskCode(message.subject, message.variables.code),
      status,
      providerMessageId: outcome.providerMessageId,
      error: err ? { code: err.code, message: maskCode(err.message, message.variables.code) } : null,
      attempts: outcome.attempts,
      durationMs: outcome.durationMs,
      createdAt: this.clock.now().toISOString(),
    });
    this.metrics.sends.inc({ factory: factoryId, status });
    this.metrics.deliveryLatency.observe({ factory: factoryId }, outcome.durationMs / 1000);
    return { ...outcome, logId, status };
  }
}
