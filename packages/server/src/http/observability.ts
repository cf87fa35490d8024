import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type * as OtelApi from '@opentelemetry/api';
import type { Metrics } from '../lib/metrics.js';
import { tracingApi } from '../lib/tracing.js';

/** A route's template (`/api/connectors/:id`), or a fixed word for requests that matched none. */
export function routeOf(req: FastifyRequest): string {
  return req.routeOptions?.url ?? '(unmatched)';
}

/** The tenant a request addressed, when it named a valid one (set before auth runs). */
function tenantOf(req: FastifyRequest): string {
  return req.tenantId ?? (req.raw as { posternTenant?: string }).posternTenant ?? 'default';
}

const SPAN = Symbol('postern.span');
type Traced = FastifyRequest & { [SPAN]?: { span: OtelApi.Span; ctx: OtelApi.Context } };

/**
 * Per-request observability, installed before the routes:
 * - one access-log line per request at `info`: request id, tenant, method, route template,
 *   status and duration. Never the URL (paths and query strings can carry an address, an
 *   invitation token or a code), the body or the client's address.
 * - the request-duration histogram by method, route template and status.
 * - when tracing is on (lib/tracing.ts), a server span per request, parent of the database,
 *   rendering and delivery spans the request causes; an incoming `traceparent` is honoured.
 */
export function installObservability(app: FastifyInstance, metrics: Metrics): void {
  const otel = tracingApi();
  if (otel) installTracing(app, otel);
  app.addHook('onResponse', async (req: FastifyRequest, reply: FastifyReply) => {
    const route = routeOf(req);
    const status = reply.statusCode;
    const seconds = reply.elapsedTime / 1000;
    metrics.httpDuration.observe({ method: req.method, route, status: String(status) }, seconds);
    req.log.info(
      { tenant: tenantOf(req), method: req.method, route, status, durationMs: Math.round(reply.elapsedTime * 10) / 10 },
      'request',
    );
  });
}

function installTracing(app: FastifyInstance, otel: NonNullable<ReturnType<typeof tracingApi>>): void {
  const { api, tracer } = otel;
  // Callback style, and registered first: the rest of the request (the other hooks, body
  // parsing, the handler) runs inside `context.with`, so its spans are this span's children.
  app.addHook('onRequest', (req: FastifyRequest, _reply: FastifyReply, done: () => void) => {
    const parent = api.propagation.extract(api.ROOT_CONTEXT, req.headers);
    const route = routeOf(req);
    const span = tracer.startSpan(
      `${req.method} ${route}`,
      {
        kind: api.SpanKind.SERVER,
        attributes: { 'http.request.method': req.method, 'http.route': route, 'url.scheme': req.protocol },
      },
      parent,
    );
    const ctx = api.trace.setSpan(parent, span);
    (req as Traced)[SPAN] = { span, ctx };
    // Listeners added later to the request stream (the body parser) run in this context too.
    api.context.bind(ctx, req.raw);
    api.context.with(ctx, done);
  });
  // The handler itself is called from the body parser's callbacks: wrap it as well.
  app.addHook('onRoute', (route: RouteOptions) => {
    const handler = route.handler;
    route.handler = function (this: FastifyInstance, req, reply) {
      const t = (req as Traced)[SPAN];
      return t ? api.context.with(t.ctx, () => handler.call(this, req, reply)) : handler.call(this, req, reply);
    };
  });
  app.addHook('onResponse', async (req: FastifyRequest, reply: FastifyReply) => {
    const t = (req as Traced)[SPAN];
    if (!t) return;
    t.span.setAttributes({ 'http.response.status_code': reply.statusCode, 'postern.tenant_id': tenantOf(req) });
    if (reply.statusCode >= 500) t.span.setStatus({ code: api.SpanStatusCode.ERROR });
    t.span.end();
  });
}
