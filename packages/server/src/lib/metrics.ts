import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface MetricsOptions {
  /** Node process metrics (CPU, memory, event loop lag, GC, handles); default true. */
  processMetrics?: boolean;
}

/** One sample of a gauge read at scrape time. */
export interface GaugeSample<L extends string> {
  labels?: Partial<Record<L, string>>;
  value: number;
}

/**
 * Prometheus metrics (SPEC §11). Labels never carry an address, a code or a secret: only
 * factory ids, statuses, outcomes, route templates, error codes and limit kinds.
 *
 * Parts that own their own state register their series here rather than in this file (see
 * docs/observability.md): `gauge()` for values read at scrape time (outbox depth and the age
 * of its oldest row, circuit states per connector), `counter()` and `histogram()` for
 * events (webhook deliveries by outcome). Names start with `postern_`.
 */
export class Metrics {
  readonly registry = new Registry();

  constructor(opts: MetricsOptions = {}) {
    // Node's own figures under their usual names (process_*, nodejs_*), as dashboards expect.
    if (opts.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /**
   * A gauge whose samples `collect` returns at each scrape (it may read the database). A
   * failure does not fail /metrics: that scrape has no labelled samples, or NaN.
   */
  gauge<L extends string = never>(o: {
    name: string;
    help: string;
    labelNames?: readonly L[];
    collect: () => Promise<Array<GaugeSample<L>>> | Array<GaugeSample<L>>;
  }): Gauge<L> {
    return new Gauge<L>({
      name: o.name,
      help: o.help,
      labelNames: o.labelNames ?? [],
      registers: [this.registry],
      async collect() {
        this.reset();
        let samples: Array<GaugeSample<L>>;
        try {
          samples = await o.collect();
        } catch {
          // Unknown rather than a misleading value: labelled series are left out, a gauge
          // without labels (always exported) says NaN.
          if (!o.labelNames?.length) this.set(NaN);
          return;
        }
        for (const s of samples) this.set((s.labels ?? {}) as never, s.value);
      },
    });
  }

  counter<L extends string = never>(o: { name: string; help: string; labelNames?: readonly L[] }): Counter<L> {
    return new Counter<L>({ name: o.name, help: o.help, labelNames: o.labelNames ?? [], registers: [this.registry] });
  }

  histogram<L extends string = never>(o: {
    name: string;
    help: string;
    labelNames?: readonly L[];
    buckets: number[];
  }): Histogram<L> {
    return new Histogram<L>({
      name: o.name,
      help: o.help,
      labelNames: o.labelNames ?? [],
      buckets: o.buckets,
      registers: [this.registry],
    });
  }
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
  readonly sendFailures = new Counter({
    name: 'postern_email_send_failures_total',
    help: 'Failed email sends by connector factory and connector error code.',
    labelNames: ['factory', 'code'] as const,
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
  readonly webhookDeliveries = new Counter({
    name: 'postern_webhook_deliveries_total',
    help: 'Event webhook delivery attempts by outcome (delivered, retry, failed).',
    labelNames: ['outcome'] as const,
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
  readonly httpDuration = new Histogram({
    name: 'postern_http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
}
