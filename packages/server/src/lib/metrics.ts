import { Counter, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics (SPEC §11). Labels never carry an address, a code or a secret: only
 * factory ids, statuses, outcomes and limit kinds.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly sends = new Counter({
    name: 'postern_email_sends_total',
    help: 'Email sends by connector factory and final status.',
    labelNames: ['factory', 'status'] as const,
    registers: [this.registry],
  });
  readonly deliveryLatency = new Histogram({
    name: 'postern_email_delivery_seconds',
    help: 'Time from the first delivery attempt to the final outcome.',
    labelNames: ['factory'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
    registers: [this.registry],
  });
  readonly verifications = new Counter({
    name: 'postern_verifications_total',
    help: 'Code verifications by outcome.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly rateLimitRejections = new Counter({
    name: 'postern_rate_limit_rejections_total',
    help: 'Requests refused by a rate limit or lockout, by kind.',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly outboxFinished = new Counter({
    name: 'postern_outbox_finished_total',
    help: 'Outbox messages by the state they ended in (sent, failed, cancelled).',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });
  readonly failovers = new Counter({
    name: 'postern_connector_failovers_total',
    help: 'Sends that went on to the fallback connector after the primary failed, by factory.',
    labelNames: ['from', 'to'] as const,
    registers: [this.registry],
  });
  readonly circuitSkips = new Counter({
    name: 'postern_connector_circuit_skips_total',
    help: 'Sends that skipped a connector because its circuit was open.',
    labelNames: ['factory', 'role'] as const,
    registers: [this.registry],
  });
  readonly httpRequests = new Counter({
    name: 'postern_http_requests_total',
    help: 'HTTP requests by method and status class.',
    labelNames: ['method', 'status'] as const,
    registers: [this.registry],
  });
}
