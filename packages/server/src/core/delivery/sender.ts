import { timeOrderedId } from '../../lib/ids.js';
import { ConnectorError, type ConnectorFactory, type Connector, type DkimSigningKey, type EmailAttachment, type EmailMessage, type TemplateType } from '@postern/connector-kit';
import { deliver, type DeliveryOutcome, type DeliveryRules, DEFAULT_RULES } from './attempts.js';
import type { Metrics } from '../../lib/metrics.js';
import type { AttemptLogEntry, Clock, EmailLogEntry, EmailLogStore, EmailSource, EmailStatus } from '../ports.js';
import { AppError } from '../errors.js';
import type { ConnectorService, LiveConnector } from '../connectors/service.js';
import { FAILOVER_ERRORS, type Circuits } from './circuit.js';
import type { MessageRenderer } from './render.js';
import { withSpan } from '../../lib/tracing.js';

/** Where email events go (the event webhooks, SPEC §16); `emit` never throws. */
export interface EventSink {
  emit(tenantId: string, type: 'email.sent' | 'email.failed' | 'email.suppressed', data: Record<string, unknown>): Promise<void>;
}

/** Where delivery failures are reported (the process's pino logger). */
export interface DeliveryLog {
  warn(fields: Record<string, unknown>, message: string): void;
}

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
  /** Where the send came from, for the email log (absent: `api`). */
  source?: EmailSource | undefined;
  /**
   * A finished message (submitted over SMTP, SPEC §18): delivered as it came, not rendered
   * from a template; `templateType` is then only its label in the log.
   */
  content?: SubmittedContent | undefined;
  /** A connector test send (SPEC §3.2) for the connector of this role: its email-log entry is marked as a test. */
  test?: { role: 'primary' | 'fallback' } | undefined;
}

/** A message that arrived finished: what the connectors deliver of it. */
export interface SubmittedContent {
  from: { email: string; name?: string | undefined };
  replyTo?: string | undefined;
  subject: string;
  html: string;
  text: string;
  /** Headers kept from the submitted message (no structural ones, no CR/LF). */
  headers: Record<string, string>;
  attachments: EmailAttachment[];
}

/** What the email log shows as the subject of a submitted message (SPEC §18: no subject or body). */
export const SUBMITTED_SUBJECT = '(submitted over SMTP)';

export interface SendOutcome extends DeliveryOutcome {
  logId: string;
  status: EmailStatus;
  /** The email-log entry, when the caller asked to write it itself (`deferLog`). */
  logEntry?: EmailLogEntry | undefined;
}

export const CODE_MASK = '••••••';

/** A magic link's secret half (SPEC §19), wherever a template or a provider's error put it. */
const MAGIC_LINK_TOKEN = /(\/magic-link\/[\w-]{1,100}\.)[\w-]{43}/g;

/** A subject with the code (or a magic link) in it is logged with the code masked (SPEC §11). */
export function maskCode(text: string, code: unknown): string {
  const masked = text.replace(MAGIC_LINK_TOKEN, `$1${CODE_MASK}`);
  return typeof code === 'string' && code.length >= 4 ? masked.split(code).join(CODE_MASK) : masked;
}

/**
 * Removes the one-time code and the link of a message from a connector error's sentence
 * and provider message: a provider that echoes the request body would otherwise hand them
 * to whoever reads the error (SPEC §11: a code is never returned or logged).
 */
export function scrubMessageSecrets(err: ConnectorError, variables: Record<string, unknown>): void {
  const hidden: Array<[string, string]> = [];
  const { code, link } = variables;
  if (typeof link === 'string' && link.length >= 8) hidden.push([link, '[link]'], [link.replaceAll('/', '\\/'), '[link]']);
  if (typeof code === 'string' && code.length >= 4) hidden.push([code, CODE_MASK]);
  const scrub = (text: string) => hidden.reduce((t, [from, to]) => t.split(from).join(to), text);
  err.message = scrub(err.message);
  for (const [k, v] of Object.entries(err.details)) if (typeof v === 'string') err.details[k] = scrub(v);
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
    /** The suppression list (SPEC §16); saved-connector sends to a listed address are refused. */
    private readonly suppressions?: { find(tenantId: string, email: string): Promise<{ reason: string; expiresAt: string | null } | undefined> },
    private readonly log?: DeliveryLog,
    /** The fallback connector and the circuits (SPEC §15); without them only the primary is used. */
    private readonly routing?: { fallback: ConnectorService; circuits: Circuits },
    /** Event webhooks out (SPEC §16): `email.sent`, `email.failed`, `email.suppressed`. */
    private readonly events?: EventSink,
    /** The tenant's DKIM key for a domain, to sign submitted messages with (SPEC §18). */
    private readonly dkimFor?: (tenantId: string, domain: string) => Promise<DkimSigningKey | undefined>,
  ) {}

  /**
   * Sends through the tenant's saved connector, failing over to the fallback connector on a
   * failover-eligible error or an open circuit (SPEC §15). `logIf` decides whether this
   * outcome goes to the email log (the outbox logs only the final outcome of a message it
   * will retry); with `deferLog` the entry is returned, not written (the outbox writes it in
   * the commit that finishes the message).
   */
  async send(req: SendRequest, logIf?: (outcome: DeliveryOutcome) => boolean, deferLog = false): Promise<SendOutcome> {
    const out = await this.sendOnce(req, logIf, deferLog);
    // Only a logged (final) outcome is an event; a failure the outbox retries is not.
    if (this.events && out.logId) {
      await this.events.emit(req.tenantId, out.ok ? 'email.sent' : 'email.failed', {
        messageId: req.id ?? null,
        emailLogId: out.logId,
        to: req.to,
        templateType: req.templateType,
        status: out.status,
        providerMessageId: out.providerMessageId,
        ...(out.error ? { error: { code: out.error.code, message: maskCode(out.error.message, req.variables.code) } } : {}),
      });
    }
    return out;
  }

  private async sendOnce(req: SendRequest, logIf?: (outcome: DeliveryOutcome) => boolean, deferLog = false): Promise<SendOutcome> {
    const live = await this.connectors.getLive(req.tenantId);
    if (!live) throw new AppError('connector.not_configured', 'This tenant has no email connector; set one up under Connectors.');
    const suppressed = await this.suppressions?.find(req.tenantId, req.to);
    if (suppressed) {
      await this.recordSuppressed(live.factory.id, { tenantId: req.tenantId, to: req.to, templateType: req.templateType, subject: '(suppressed address: no email sent)', source: req.source });
      await this.events?.emit(req.tenantId, 'email.suppressed', { messageId: req.id ?? null, to: req.to, templateType: req.templateType, reason: suppressed.reason });
      throw new AppError('recipient.suppressed', `This address is on the suppression list (${suppressed.reason.replace('_', ' ')}); remove it there to send to it again.`, {
        reason: suppressed.reason,
        ...(suppressed.expiresAt ? { expiresAt: suppressed.expiresAt } : {}),
      });
    }
    if (!this.routing) return this.sendWith(live.factory, live.connector, live.stored.config, req, logIf, deferLog);
    const { circuits } = this.routing;
    const fallback = await this.routing.fallback.getLive(req.tenantId);
    const id = req.id ?? timeOrderedId();
    const started = performance.now();
    const attemptLog: AttemptLogEntry[] = [];
    let last: { factoryId: string; message: EmailMessage; outcome: DeliveryOutcome } | undefined;
    let retryAfter: number | undefined;
    const roles: Array<['primary' | 'fallback', LiveConnector]> = [['primary', live]];
    if (fallback) roles.push(['fallback', fallback]);
    for (const [role, c] of roles) {
      const circuit = circuits.for(req.tenantId, role, c.stored.id, c.factory.id, c.stored.updatedAt);
      const admission = circuit.admit();
      if (!admission.allowed) {
        retryAfter = Math.min(retryAfter ?? Infinity, admission.retryAfter);
        attemptLog.push({ role, factoryId: c.factory.id, at: this.clock.now().toISOString(), outcome: 'skipped', error: { code: 'connector.circuit_open', message: 'The circuit is open: the connector was skipped.' } });
        this.metrics.circuitSkips.inc({ factory: c.factory.id, role });
        continue;
      }
      // With a fallback waiting, the primary gets one attempt: failover on the first eligible
      // error, within the same overall budget (SPEC §15).
      const elapsed = performance.now() - started;
      const rules = { ...this.rules, totalBudgetMs: Math.max(1, this.rules.totalBudgetMs - elapsed), ...(role === 'primary' && fallback ? { maxAttempts: 1 } : {}) };
      let r: { message: EmailMessage; outcome: DeliveryOutcome };
      try {
        r = await this.attempt(c.factory, c.connector, c.stored.config, { ...req, id }, rules);
      } catch (err) {
        circuit.release(admission.probe);
        throw err;
      }
      circuit.record(r.outcome.ok, r.outcome.durationMs, r.outcome.error ? { code: r.outcome.error.code, message: maskCode(r.outcome.error.message, req.variables.code) } : undefined, admission.probe);
      attemptLog.push({ role, factoryId: c.factory.id, at: this.clock.now().toISOString(), outcome: r.outcome.ok ? (r.outcome.captured ? 'captured' : 'sent') : 'failed', attempts: r.outcome.attempts, ...(r.outcome.error ? { error: { code: r.outcome.error.code, message: maskCode(r.outcome.error.message, req.variables.code) } } : {}) });
      last = { factoryId: c.factory.id, ...r };
      if (r.outcome.ok || !r.outcome.error || !FAILOVER_ERRORS.has(r.outcome.error.code)) break;
      if (role === 'primary' && fallback) this.metrics.failovers.inc({ from: c.factory.id, to: fallback.factory.id });
    }
    const attempts = attemptLog.reduce((n, a) => n + (a.attempts ?? 0), 0);
    const durationMs = performance.now() - started;
    let outcome: DeliveryOutcome;
    if (last) outcome = { ...last.outcome, attempts, durationMs };
    else {
      // Every connector left was skipped by an open circuit: fail at once, without waiting on it.
      const error = new ConnectorError('connector.circuit_open', `The ${fallback ? 'email connectors have' : 'email connector has'} failed repeatedly; sends are paused for ${retryAfter} s.`, { details: { retryAfter } });
      (error as ConnectorError & { attempts?: number }).attempts = attempts;
      outcome = { ok: false, providerMessageId: null, captured: false, attempts, durationMs, error };
    }
    const message = last?.message ?? { id, tenantId: req.tenantId, to: req.to, subject: `(${req.templateType})`, templateType: req.templateType, variables: req.variables } as EmailMessage;
    const factoryId = last?.factoryId ?? live.factory.id;
    if (logIf && !logIf(outcome)) return { ...outcome, logId: '', status: outcome.ok ? 'sent' : 'failed' };
    return this.record(factoryId, message, outcome, attemptLog, deferLog, req.source);
  }

  /** Sends through a given connector instance (test sends with an unsaved config). */
  async sendWith(factory: ConnectorFactory, connector: Connector, config: Record<string, unknown>, req: SendRequest, logIf?: (outcome: DeliveryOutcome) => boolean, deferLog = false): Promise<SendOutcome> {
    const { message, outcome } = await this.attempt(factory, connector, config, req, this.rules);
    if (logIf && !logIf(outcome)) return { ...outcome, logId: '', status: outcome.ok ? 'sent' : 'failed' };
    const testLog: AttemptLogEntry[] | undefined = req.test
      ? [{ role: req.test.role, factoryId: factory.id, at: this.clock.now().toISOString(), outcome: outcome.ok ? (outcome.captured ? 'captured' : 'sent') : 'failed', attempts: outcome.attempts, ...(outcome.error ? { error: { code: outcome.error.code, message: maskCode(outcome.error.message, req.variables.code) } } : {}), test: true }]
      : undefined;
    return this.record(factory.id, message, outcome, testLog, deferLog, req.source);
  }

  /** Renders for one connector and runs the attempts (3.5) on it. */
  private async attempt(factory: ConnectorFactory, connector: Connector, config: Record<string, unknown>, req: SendRequest, rules: DeliveryRules): Promise<{ message: EmailMessage; outcome: DeliveryOutcome }> {
    if (req.content) return this.attemptSubmitted(factory, connector, req, req.content, rules);
    const rendered = await withSpan('postern.template.render', { 'postern.tenant_id': req.tenantId, 'postern.template.type': req.templateType, 'postern.connector.factory_id': factory.id }, () =>
      this.renderer.render({
        tenantId: req.tenantId,
        templateType: req.templateType,
        locale: req.locale,
        acceptLanguage: req.acceptLanguage,
        variables: req.variables,
        customTemplates: factory.capabilities.customTemplates,
        connectorBranding: factory.capabilities.customTemplates ? undefined : config,
      }),
    );
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
    const outcome = await deliver(connector, message, rules, factory.id);
    if (outcome.error) scrubMessageSecrets(outcome.error, message.variables);
    return { message, outcome };
  }

  /** Delivers a finished message as it came: no template, DKIM with the From domain's key. */
  private async attemptSubmitted(factory: ConnectorFactory, connector: Connector, req: SendRequest, c: SubmittedContent, rules: DeliveryRules): Promise<{ message: EmailMessage; outcome: DeliveryOutcome }> {
    if (c.attachments.length > 0 && !factory.capabilities.attachments) {
      throw new ConnectorError('connector.bad_config', `The ${factory.name} connector cannot carry attachments; send this message without them or use a connector that can (SMTP).`);
    }
    const domain = c.from.email.split('@').pop()?.toLowerCase() ?? '';
    const dkim = domain ? await this.dkimFor?.(req.tenantId, domain) : undefined;
    const message: EmailMessage = {
      id: req.id ?? timeOrderedId(),
      tenantId: req.tenantId,
      from: { email: c.from.email, ...(c.from.name ? { name: c.from.name } : {}) },
      to: req.to,
      ...(c.replyTo ? { replyTo: c.replyTo } : {}),
      subject: c.subject,
      html: c.html,
      text: c.text,
      headers: c.headers,
      templateType: req.templateType,
      locale: req.locale ?? 'und',
      variables: {},
      ...(c.attachments.length ? { attachments: c.attachments } : {}),
      ...(dkim ? { dkim } : {}),
    };
    const outcome = await deliver(connector, message, rules, factory.id);
    return { message, outcome };
  }

  /** Logs a message that was deliberately not sent (test addresses, suppressed addresses). */
  async recordSuppressed(factoryId: string, req: { tenantId: string; to: string; templateType: TemplateType; subject: string; source?: EmailSource | undefined }): Promise<void> {
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
      source: req.source ?? 'api',
    });
    this.metrics.sends.inc({ factory: factoryId, status: 'suppressed' });
  }

  private async record(factoryId: string, message: EmailMessage, outcome: DeliveryOutcome, attemptLog?: AttemptLogEntry[], deferLog = false, source: EmailSource = 'api'): Promise<SendOutcome> {
    const status: EmailStatus = outcome.ok ? (outcome.captured ? 'captured' : 'sent') : 'failed';
    const logId = timeOrderedId();
    const err: ConnectorError | undefined = outcome.error;
    const entry: EmailLogEntry = {
      id: logId,
      tenantId: message.tenantId,
      factoryId,
      templateType: message.templateType,
      to: message.to,
      subject: source === 'smtp' ? SUBMITTED_SUBJECT : maskCode(message.subject, message.variables.code),
      status,
      providerMessageId: outcome.providerMessageId,
      error: err ? { code: err.code, message: maskCode(err.message, message.variables.code) } : null,
      attempts: outcome.attempts,
      durationMs: outcome.durationMs,
      createdAt: this.clock.now().toISOString(),
      source,
      ...(attemptLog ? { attemptLog } : {}),
    };
    if (!deferLog) await this.logs.record(entry);
    this.metrics.sends.inc({ factory: factoryId, status });
    if (err) {
      this.metrics.sendFailures.inc({ factory: factoryId, code: err.code });
      // The code only: a provider's message can quote the recipient.
      this.log?.warn({ tenant: message.tenantId, factory: factoryId, code: err.code, templateType: message.templateType, attempts: outcome.attempts, emailLogId: logId }, 'delivery failed');
    }
    this.metrics.deliveryLatency.observe({ factory: factoryId }, outcome.durationMs / 1000);
    return { ...outcome, logId, status, ...(deferLog ? { logEntry: entry } : {}) };
  }
}
