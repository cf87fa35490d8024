import { Readable } from 'node:stream';
import { Agent, buildConnector, Headers as UndiciHeaders, type Dispatcher } from 'undici';
import { rootCertificates } from 'node:tls';
import { ConnectorError } from '@postern/connector-kit';
import { parseAddress } from './address.js';
import { DestinationBlockedError, destinationBlockedCause, type DestinationChecker } from './policy.js';

/**
 * An undici Agent whose every new connection goes through the policy: IP literals are
 * classified before connecting, host names are resolved by the policy's `lookup`, and
 * net/tls connect to exactly the address that was checked (no second lookup, so a DNS
 * rebinding between check and connect has nothing to hit).
 */
export function createPolicyDispatcher(checker: DestinationChecker, ca?: string | readonly string[]): Agent {
  const base = buildConnector({ lookup: checker.lookup as never, ...(ca === undefined ? {} : { ca: [...rootCertificates, ...(typeof ca === 'string' ? [ca] : ca)] }) });
  const connect: buildConnector.connector = (options, callback) => {
    const host = options.hostname.replace(/^\[(.*)\]$/, '$1');
    if (parseAddress(host)) {
      // net.connect skips `lookup` for literals, so they are checked here.
      const blocked = checker.checkLiteral(host, host);
      if (blocked) {
        queueMicrotask(() => callback(new DestinationBlockedError(blocked), null));
        return;
      }
    }
    base(options, callback);
  };
  return new Agent({ connect, keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000 });
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
// Dropped when a redirect leaves the origin, as browsers do, so credentials meant for
// the provider are not handed to wherever it points.
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie'];

interface RequestLike {
  url: string;
  method: string;
  headers: Headers;
  body: unknown;
  signal?: AbortSignal;
  arrayBuffer(): Promise<ArrayBuffer>;
}

function isRequestLike(input: unknown): input is RequestLike {
  return typeof input === 'object' && input !== null && !(input instanceof URL) && typeof (input as RequestLike).url === 'string';
}

function isReplayable(body: unknown): boolean {
  return (
    body === undefined ||
    body === null ||
    typeof body === 'string' ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) ||
    body instanceof URLSearchParams ||
    body instanceof Blob ||
    body instanceof FormData
  );
}

function schemeBlocked(url: URL): ConnectorError {
  return new ConnectorError('connector.destination_blocked', `Outbound requests may only use http or https, not ${url.protocol}`, {
    details: { host: url.hostname, reason: 'scheme' },
  });
}

const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/** A body as undici's `request` takes it, and the content type fetch would have implied. */
async function requestBody(body: unknown): Promise<{ body: string | Uint8Array | Readable | null; type?: string }> {
  if (body === undefined || body === null) return { body: null };
  if (typeof body === 'string') return { body, type: 'text/plain;charset=UTF-8' };
  if (body instanceof Uint8Array) return { body };
  if (body instanceof ArrayBuffer) return { body: new Uint8Array(body) };
  if (ArrayBuffer.isView(body)) return { body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength) };
  if (body instanceof URLSearchParams) return { body: body.toString(), type: 'application/x-www-form-urlencoded;charset=UTF-8' };
  if (body instanceof Blob) return { body: new Uint8Array(await body.arrayBuffer()), ...(body.type ? { type: body.type } : {}) };
  if (typeof (body as ReadableStream).getReader === 'function') return { body: Readable.fromWeb(body as never) };
  return { body: String(body), type: 'text/plain;charset=UTF-8' };
}

/**
 * One hop with undici's `request` rather than its WHATWG fetch, which costs several times
 * more CPU per call; the answer is wrapped in a standard Response so connectors keep the
 * fetch API.
 */
async function send(dispatcher: Dispatcher, url: URL, method: string, headers: InstanceType<typeof UndiciHeaders>, body: unknown, signal: AbortSignal | undefined): Promise<Response> {
  const b = await requestBody(body);
  if (b.type && !headers.has('content-type')) headers.set('content-type', b.type);
  const flat: string[] = [];
  for (const [k, v] of headers) flat.push(k, v);
  let res: Dispatcher.ResponseData;
  try {
    res = await dispatcher.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: method as Dispatcher.HttpMethod,
      headers: flat,
      body: b.body,
      ...(signal ? { signal } : {}),
    });
  } catch (err) {
    // Fail as fetch fails, so callers see one shape: the abort reason, or "fetch failed" with the cause.
    if (signal?.aborted) throw signal.reason;
    if (err instanceof ConnectorError || destinationBlockedCause(err)) throw err;
    throw new TypeError('fetch failed', { cause: err });
  }
  const out = new Headers();
  for (const [k, v] of Object.entries(res.headers)) {
    if (Array.isArray(v)) for (const x of v) out.append(k, x);
    else if (v !== undefined) out.append(k, String(v));
  }
  if (res.statusCode < 200 || res.statusCode > 599) {
    res.body.resume();
    throw new ConnectorError('connector.delivery_failed', `The server answered with status ${res.statusCode}.`, { details: { providerStatus: res.statusCode } });
  }
  if (NULL_BODY.has(res.statusCode) || method === 'HEAD') {
    res.body.resume();
    return withUrl(new Response(null, { status: res.statusCode, headers: out }), url);
  }
  return withUrl(new Response(Readable.toWeb(res.body) as ReadableStream, { status: res.statusCode, headers: out }), url);
}

function withUrl(response: Response, url: URL): Response {
  Object.defineProperty(response, 'url', { value: url.href });
  return response;
}

/**
 * A fetch over the policy dispatcher that follows redirects by hand (at most
 * `maxRedirects`), so every hop connects through the check; a blocked destination
 * rejects with the ConnectorError itself rather than `TypeError: fetch failed`.
 */
export function createPolicyFetch(dispatcher: Dispatcher, maxRedirects: number): typeof fetch {
  const policyFetch = async (input: string | URL | RequestLike, init: RequestInit = {}): Promise<Response> => {
    const request = isRequestLike(input) ? input : undefined;
    let url = new URL(request ? request.url : String(input));
    let method = (init.method ?? request?.method ?? 'GET').toUpperCase();
    // undici's own Headers: the global one belongs to Node's bundled copy of undici.
    const headers = new UndiciHeaders([...new Headers(init.headers ?? request?.headers)]);
    let body: unknown = init.body;
    if (body === undefined && request && request.body !== null && method !== 'GET' && method !== 'HEAD') {
      body = await request.arrayBuffer();
    }
    const signal = init.signal ?? request?.signal;
    if (body instanceof FormData) {
      // undici 7 does not recognise the global (Node-bundled) FormData and would send it
      // as "[object FormData]"; serialise it here, boundary and all.
      const encoded = new Response(body);
      if (!init.headers || !headers.has('content-type')) headers.set('content-type', encoded.headers.get('content-type') ?? '');
      body = new Uint8Array(await encoded.arrayBuffer());
    }

    for (let hop = 0; ; hop++) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw schemeBlocked(url);
      let response: Response;
      try {
        response = await send(dispatcher, url, method, headers, body, signal);
      } catch (err) {
        throw destinationBlockedCause(err) ?? err;
      }
      const location = response.headers.get('location');
      if (!REDIRECTS.has(response.status) || location === null) return response as unknown as Response;
      await response.body?.cancel().catch(() => undefined);
      if (hop >= maxRedirects) {
        throw new ConnectorError('connector.delivery_failed', `Gave up after ${maxRedirects} redirects.`, {
          details: { reason: 'too_many_redirects', providerStatus: response.status },
        });
      }
      const next = new URL(location, url);
      if (response.status === 303 ? method !== 'HEAD' : (response.status === 301 || response.status === 302) && method === 'POST') {
        method = 'GET';
        body = undefined;
        for (const h of ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location']) headers.delete(h);
      } else if (!isReplayable(body)) {
        throw new ConnectorError('connector.delivery_failed', 'Cannot follow a redirect that needs a streamed request body again.', {
          details: { reason: 'redirect_with_stream_body', providerStatus: response.status },
        });
      }
      if (next.origin !== url.origin) for (const h of CREDENTIAL_HEADERS) headers.delete(h);
      url = next;
    }
  };
  return policyFetch as unknown as typeof fetch;
}
