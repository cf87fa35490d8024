import type * as OtelApi from '@opentelemetry/api';

/**
 * OpenTelemetry tracing, off unless an OTLP endpoint is configured with the standard
 * variables (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`). When it
 * is off nothing of OpenTelemetry is loaded and every helper here is a branch on `undefined`.
 * When on, `@opentelemetry/sdk-node` is loaded once at start and reads the other standard
 * variables itself: `OTEL_EXPORTER_OTLP_PROTOCOL` (`http/protobuf` by default, `http/json`,
 * `grpc`), `OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`,
 * `OTEL_TRACES_SAMPLER`, `OTEL_PROPAGATORS`, `OTEL_BSP_*`.
 *
 * Spans are made here by hand, not by monkey-patching instrumentations, so that what they
 * carry is decided here: route templates, factory ids, template types, attempt numbers and
 * outcomes (error codes), never an email address, a code, a token, a URL path or an error
 * message (a provider's message can quote the recipient).
 */

interface Active {
  api: typeof OtelApi;
  tracer: OtelApi.Tracer;
  shutdown(): Promise<void>;
}

let active: Active | undefined;

export type Attributes = Record<string, string | number | boolean | undefined>;

/** Whether the environment asks for tracing. */
export function tracingRequested(env: NodeJS.ProcessEnv): boolean {
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') return false;
  if ((env.OTEL_TRACES_EXPORTER ?? '').split(',').some((s) => s.trim() === 'none')) return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/** Starts the SDK when the environment asks for it; resolves whether tracing is on. */
export async function startTracing(env: NodeJS.ProcessEnv = process.env, version = '0.1.0'): Promise<boolean> {
  if (active) return true;
  if (!tracingRequested(env)) return false;
  const [api, { NodeSDK }] = await Promise.all([import('@opentelemetry/api'), import('@opentelemetry/sdk-node')]);
  const named = Boolean(env.OTEL_SERVICE_NAME) || /(^|,)\s*service\.name=/.test(env.OTEL_RESOURCE_ATTRIBUTES ?? '');
  const sdk = new NodeSDK({
    // OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES win when set; `serviceName` would override them.
    ...(named ? {} : { serviceName: 'postern' }),
    instrumentations: [],
    // Traces only: metrics are Prometheus at /metrics, logs are pino on stdout. Without these
    // the SDK would also start OTLP metric and log exporters by default.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  active = { api, tracer: api.trace.getTracer('postern', version), shutdown: () => sdk.shutdown() };
  return true;
}

/**
 * Exports what is buffered and stops; a no-op when tracing is off. A collector that does not
 * answer does not hold the shutdown for more than `waitMs`.
 */
export async function stopTracing(waitMs = 3000): Promise<void> {
  const a = active;
  active = undefined;
  if (!a) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    a.shutdown().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, waitMs);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
}

export function tracingActive(): boolean {
  return active !== undefined;
}

/** The loaded API and tracer, for the HTTP hooks; undefined when tracing is off. */
export function tracingApi(): Active | undefined {
  return active;
}

function clean(attributes: Attributes): OtelApi.Attributes {
  const out: OtelApi.Attributes = {};
  for (const [k, v] of Object.entries(attributes)) if (v !== undefined) out[k] = v;
  return out;
}

/**
 * A span that is not the active one while it runs (one delivery attempt: the caller keeps
 * its own control flow and ends it with the outcome).
 */
export interface SpanHandle {
  /** Runs `fn` with this span as the parent of the spans `fn` starts. */
  run<T>(fn: () => T): T;
  set(attributes: Attributes): void;
  /** Ends the span; `error` marks it failed with the given code as its status message. */
  end(error?: string): void;
}

const NOOP: SpanHandle = { run: (fn) => fn(), set: () => undefined, end: () => undefined };

export function startSpan(name: string, attributes: Attributes, kind: 'internal' | 'client' = 'internal'): SpanHandle {
  const a = active;
  if (!a) return NOOP;
  const parent = a.api.context.active();
  const span = a.tracer.startSpan(
    name,
    { attributes: clean(attributes), kind: kind === 'client' ? a.api.SpanKind.CLIENT : a.api.SpanKind.INTERNAL },
    parent,
  );
  const ctx = a.api.trace.setSpan(parent, span);
  return {
    run: (fn) => a.api.context.with(ctx, fn),
    set: (attrs) => span.setAttributes(clean(attrs)),
    end(error) {
      if (error) span.setStatus({ code: a.api.SpanStatusCode.ERROR, message: error });
      span.end();
    },
  };
}

/** Runs `fn` inside a span that ends when it settles; a thrown error marks it failed by its `code` only. */
export async function withSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: SpanHandle) => Promise<T>,
): Promise<T> {
  if (!active) return fn(NOOP);
  const span = startSpan(name, attributes);
  try {
    const out = await span.run(() => fn(span));
    span.end();
    return out;
  } catch (err) {
    span.end(errorCode(err));
    throw err;
  }
}

/** A finished span for work timed elsewhere (a database statement reported after it ran). */
export function recordSpan(name: string, attributes: Attributes, startedAt: number, error?: unknown): void {
  const a = active;
  if (!a) return;
  const span = a.tracer.startSpan(name, {
    attributes: clean(attributes),
    startTime: startedAt,
    kind: a.api.SpanKind.CLIENT,
  });
  if (error !== undefined) span.setStatus({ code: a.api.SpanStatusCode.ERROR, message: errorCode(error) });
  span.end();
}

/** The code of an error (a Postern or driver code), never its message. */
export function errorCode(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && code.length <= 100 ? code : ((err as Error)?.name ?? 'Error');
}
