import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { CONNECTOR_ERRORS, isConnectorError } from '@postern/connector-kit';
import { AppError, ERRORS, tooDeep } from '../core/errors.js';
import { isTemplateError } from '../core/templates/errors.js';
import { jsonTextDepth, MAX_JSON_DEPTH } from '../lib/json-depth.js';

interface Issue {
  path: string;
  message: string;
}

function send(reply: FastifyReply, status: number, code: string, message: string, details: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  for (const [k, v] of Object.entries(headers)) reply.header(k, v);
  return reply.status(status).type('application/json; charset=utf-8').send({ code, message, details });
}

/**
 * SPEC 2: `message` is a sentence for people, never a schema path or a validator's words;
 * those stay in `details.issues`. A message that lists its issues as `path: reason`
 * (the way schema failures are first worded) is replaced by its opening sentence and
 * the number of fields to correct.
 */
export function messageForPeople(message: string, issues: unknown): string {
  if (!Array.isArray(issues) || issues.length === 0) return message;
  const list = issues.filter((i): i is Issue => !!i && typeof (i as Issue).path === 'string' && typeof (i as Issue).message === 'string');
  const dump = list.some((i) => message.includes(`${i.path || '(root)'}: ${i.message}`) || message.includes(`${i.path || 'body'}: ${i.message}`));
  if (!dump) return message;
  const head = message.split(': ')[0]!.trim();
  const opening = /^Invalid request$/i.test(head)
    ? 'The request is not valid'
    : /^Invalid /.test(head)
      ? `The ${head.slice('Invalid '.length)} is not valid`
      : head.replace(/[.:;]+$/, '');
  const n = issues.length;
  return `${opening}: ${n === 1 ? 'one value needs' : `${n} values need`} correcting.`;
}

function zodIssues(err: { validation: Array<{ instancePath?: string; keyword?: string; message?: string; params?: unknown }>; validationContext?: string }): Issue[] {
  return err.validation.map((v) => {
    const segs = (v.instancePath ?? '').split('/').filter(Boolean);
    const base = [err.validationContext, ...segs].filter(Boolean).join('.');
    const keys = (v.params as { keys?: unknown } | undefined)?.keys;
    if (v.keyword === 'unrecognized_keys' && Array.isArray(keys) && keys.length) {
      return { path: keys.map((k) => (base ? `${base}.${String(k)}` : String(k))).join(', '), message: `unknown field${keys.length > 1 ? 's' : ''}` };
    }
    return { path: base, message: v.message ?? 'invalid' };
  });
}

/**
 * The one place where errors become HTTP responses: `{code, message, details}` with the
 * catalogue's status. Anything unexpected is logged with its stack and answered as a
 * generic 500 that shows nothing of the cause.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof AppError) {
      const headers = err.status === 429 && !err.headers['retry-after'] ? { ...err.headers, 'retry-after': '1' } : err.headers;
      // Every 429 says how long to wait twice: the Retry-After header and details.retryAfter.
      const details = err.status === 429 && typeof err.details.retryAfter !== 'number' ? { ...err.details, retryAfter: Number(headers['retry-after']) || 1 } : err.details;
      return send(reply, err.status, err.code, messageForPeople(err.message, details.issues), details, headers);
    }
    if (isConnectorError(err)) {
      const headers: Record<string, string> = {};
      // Every 429 carries Retry-After and details.retryAfter (SPEC §6), also when the provider named no wait.
      const retryAfter = err.status === 429 || err.code === 'connector.circuit_open' ? { retryAfter: typeof err.details.retryAfter === 'number' ? Math.max(1, Math.ceil(err.details.retryAfter)) : 1 } : {};
      if (retryAfter.retryAfter !== undefined) headers['retry-after'] = String(retryAfter.retryAfter);
      if (!req.principal) {
        // Routes without an admin key (end-user flows) get the code and the catalogue's
        // sentence only: a provider's words or body may carry the rendered message, and with
        // it the one-time code or link the caller is meant to receive by email only.
        return send(reply, err.status, err.code, CONNECTOR_ERRORS[err.code].message, retryAfter, headers);
      }
      const { issues, ...rest } = err.details;
      return send(reply, err.status, err.code, messageForPeople(err.message, issues), { ...rest, ...retryAfter, ...(issues ? { issues } : {}), ...((err as { attempts?: number }).attempts ? { attempts: (err as { attempts?: number }).attempts } : {}) }, headers);
    }
    // A template that cannot be compiled or rendered, wherever it surfaces (a send, an
    // import, a preview): the tenant's template is at fault, never the server (SPEC §5).
    if (isTemplateError(err)) return send(reply, 422, 'template.invalid', err.message, { ...err.details });
    if (hasZodFastifySchemaValidationErrors(err)) {
      const issues = zodIssues(err as never);
      return send(reply, 400, 'request.invalid', messageForPeople(`Invalid request: ${issues.map((i) => `${i.path || 'body'}: ${i.message}`).join('; ')}`, issues), { issues });
    }
    const fe = err as FastifyError;
    switch (fe.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return send(reply, 413, 'request.too_large', ERRORS['request.too_large'].message);
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return send(reply, 400, 'request.invalid', 'Send the body as JSON with Content-Type: application/json.', { issues: [{ path: 'content-type', message: 'unsupported media type' }] });
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return send(reply, 400, 'request.invalid', 'The JSON body is empty.', { issues: [{ path: 'body', message: 'empty body' }] });
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
        return send(reply, 400, 'request.invalid', 'The body is not valid JSON.', { issues: [{ path: 'body', message: 'malformed JSON' }] });
    }
    if (err instanceof SyntaxError || (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500)) {
      if (fe.statusCode === 413) return send(reply, 413, 'request.too_large', ERRORS['request.too_large'].message);
      return send(reply, 400, 'request.invalid', 'The request could not be read.', { issues: [{ path: 'body', message: 'unreadable request' }] });
    }
    if (isDatabaseUnavailable(err)) {
      req.log.warn({ err: { message: err.message, code: (err as { code?: string }).code } }, 'database unavailable');
      return send(reply, 503, 'service.unavailable', 'The database is unavailable; try again shortly.', {}, { 'retry-after': '5' });
    }
    req.log.error({ err }, 'unhandled error');
    return send(reply, 500, 'internal.error', ERRORS['internal.error'].message);
  });

  app.setNotFoundHandler((req, reply) => send(reply, 404, 'request.not_found', `No route ${req.method} ${req.url.split('?')[0]?.slice(0, 200)}.`));
}

/**
 * Every JSON body, on every route, is refused with `400 request.invalid` when it nests
 * deeper than MAX_JSON_DEPTH, before it is parsed: merge patches, schema checks and
 * templates walk documents recursively, and a body 10,000 deep would overflow the stack.
 * Fastify's own parser (with its prototype-poisoning checks) does the parsing.
 */
export function boundJsonDepth(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (typeof body === 'string' && jsonTextDepth(body) > MAX_JSON_DEPTH) return done(tooDeep(), undefined);
    parse(req, body as string, done);
  });
}

const UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004', 'SQLITE_BUSY']);
export function isDatabaseUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && UNAVAILABLE.has(code)) return true;
  const msg = (err as Error)?.message ?? '';
  return /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED|Client has encountered a connection error/.test(msg);
}
