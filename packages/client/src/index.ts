/**
 * The Postern client: the generated, typed `openapi-fetch` client of every route
 * (`client.api`), and helpers for what applications do most — send a code, verify it,
 * page through a list — with errors as `PosternError` and optional, bounded retries on
 * `429 Retry-After`.
 */
import createFetchClient, { type Client } from 'openapi-fetch';
import type { components, operations, paths } from './generated/openapi.js';
import { ERROR_STATUS, type KnownErrorCode } from './generated/errors.js';

export type { components, operations, paths };
export { ERROR_STATUS, type KnownErrorCode };

/** The named schemas of the API (`Schemas['User']`, `Schemas['EmailLog']`, …). */
export type Schemas = components['schemas'];
/** A known error code, or one this version of the client does not know yet. */
export type ErrorCode = KnownErrorCode | (string & {});
/** The raw, typed `openapi-fetch` client. */
export type PosternApi = Client<paths>;

export interface ValidationIssue {
  path: string;
  message: string;
}

/**
 * An error answer of the API (`{code, message, details}` and the HTTP status), or a
 * failure to reach it (status 0, code `network.error`).
 */
export class PosternError extends Error {
  /** Seconds from `Retry-After` on a 429 or 503, else null. */
  readonly retryAfterSeconds: number | null;

  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    options: { retryAfterSeconds?: number | null; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PosternError';
    this.retryAfterSeconds = options.retryAfterSeconds ?? null;
  }

  /** Builds the error from an answer and its parsed body (anything that is not `{code, message}` is named by status). */
  static fromResponse(response: Response, body: unknown): PosternError {
    const b = (body && typeof body === 'object' ? body : {}) as {
      code?: unknown;
      message?: unknown;
      details?: unknown;
    };
    return new PosternError(
      response.status,
      typeof b.code === 'string' ? b.code : `http.${response.status}`,
      typeof b.message === 'string' ? b.message : `The server answered ${response.status}.`,
      b.details && typeof b.details === 'object' && !Array.isArray(b.details)
        ? (b.details as Record<string, unknown>)
        : {},
      { retryAfterSeconds: parseRetryAfter(response.headers.get('retry-after')) },
    );
  }

  /** `details.issues` of a validation failure (`request.invalid`), if any. */
  get issues(): ValidationIssue[] {
    const raw = this.details.issues;
    if (!Array.isArray(raw)) return [];
    return raw.filter(
      (i): i is ValidationIssue =>
        !!i && typeof i === 'object' && typeof i.path === 'string' && typeof i.message === 'string',
    );
  }

  /** A string array in `details` (`fields`, `dependents`, `warnings`). */
  list(key: string): string[] {
    const raw = this.details[key];
    return Array.isArray(raw) ? raw.filter((x): x is string => typeof x === 'string') : [];
  }
}

/** `Retry-After` as seconds (delta-seconds or an HTTP date), or null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

export interface RetryOptions {
  /** Retries after the first attempt (default 2). */
  maxRetries?: number;
  /** A `Retry-After` longer than this is not waited for: the 429 is returned (default 30). */
  maxDelaySeconds?: number;
}

export interface PosternClientOptions {
  /** Where Postern answers, e.g. `https://auth.example.com`. */
  baseUrl: string;
  /** An admin API key, sent as `Authorization: Bearer`. */
  apiKey?: string;
  /** The tenant; every call goes under `/t/<tenant>/` (none, or `default`, for the default tenant). */
  tenant?: string;
  /** Headers sent with every call. */
  headers?: Record<string, string>;
  /** On `429` with `Retry-After`, wait and try again, within bounds. Off unless given. */
  retry?: boolean | RetryOptions;
  /** A fetch implementation (default: the global `fetch`). */
  fetch?: (input: Request) => Promise<Response>;
}

/** The result of any `client.api` call. */
interface Result<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * The data of a `client.api` call, or its error thrown as `PosternError`; network
 * failures become `PosternError` with status 0 and code `network.error`.
 */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  let result: Result<T>;
  try {
    result = await call;
  } catch (e) {
    if (e instanceof PosternError) throw e;
    if (e instanceof Error && e.name === 'AbortError') throw e;
    throw new PosternError(0, 'network.error', 'The server could not be reached.', {}, { cause: e });
  }
  if (result.error !== undefined || !result.response.ok) throw PosternError.fromResponse(result.response, result.error);
  return result.data as T;
}

type Json<R> = R extends { content: { 'application/json': infer T } } ? T : never;

/** GET paths that answer a page (`{items, nextCursor}`). */
export type PagedPath = {
  [P in keyof paths]: paths[P] extends { get: { responses: { 200: infer R } } }
    ? Json<R> extends { items: unknown[]; nextCursor: string | null }
      ? P
      : never
    : never;
}[keyof paths];
type PagedOp<P extends PagedPath> = paths[P] extends { get: infer O } ? O : never;
/** One item of the list at `P`. */
export type PageItem<P extends PagedPath> =
  PagedOp<P> extends { responses: { 200: infer R } } ? (Json<R> extends { items: Array<infer I> } ? I : never) : never;
type PageParams<P extends PagedPath> = PagedOp<P> extends { parameters: infer Q } ? Q : never;
/** The parameters of a list at `P`, without the cursor (the iterator follows it). */
export type PaginateParams<P extends PagedPath> = {
  query?: Omit<NonNullable<PageParams<P> extends { query?: infer Q } ? Q : never>, 'cursor'>;
} & (PageParams<P> extends { path: infer A } ? { path: A } : { path?: undefined });

export type TemplateType = NonNullable<
  operations['sendVerificationCode']['requestBody']
>['content']['application/json']['templateType'];

export interface SendCodeInput {
  email: string;
  /** The template to send with (default `Generic`); verify with the same type. */
  templateType?: TemplateType;
  /** Extra template variables, e.g. `{ link }`. */
  payload?: Record<string, unknown>;
  /** A language tag; else the tenant's default. */
  locale?: string;
}

export interface SentCode {
  verificationId: string;
  expiresAt: string;
}

export interface VerifyCodeInput {
  verificationId: string;
  email: string;
  code: string;
  templateType?: TemplateType;
}

/** Why a code did not verify; each is an expected answer, not a fault. */
export type VerifyFailure = 'mismatch' | 'expired' | 'exhausted' | 'not_found' | 'locked';

export type VerifyOutcome =
  | { ok: true }
  | {
      ok: false;
      /** mismatch: wrong code, try again; expired / exhausted / not_found: send a new code; locked: wait `retryAfterSeconds`. */
      reason: VerifyFailure;
      /** The server's answer, for its message and details. */
      error: PosternError;
    };

const VERIFY_FAILURES: Record<string, VerifyFailure> = {
  'verification_code.mismatch': 'mismatch',
  'verification_code.expired': 'expired',
  'verification_code.exhausted': 'exhausted',
  'verification_code.not_found': 'not_found',
  'verification_code.locked': 'locked',
};

export interface PosternClient {
  /** Every route, typed from the OpenAPI document: `await unwrap(client.api.GET('/api/users/{id}', { params: { path: { id } } }))`. */
  readonly api: PosternApi;
  /** Sends a one-time code to `email` (`POST /api/verification-codes`). */
  sendCode(input: SendCodeInput): Promise<SentCode>;
  /** Verifies and consumes a code; a wrong, expired or unknown code is an outcome, other errors throw. */
  verifyCode(input: VerifyCodeInput): Promise<VerifyOutcome>;
  /** Every item of a list, page after page, following `nextCursor`. */
  paginate<P extends PagedPath>(path: P, params?: PaginateParams<P>): AsyncGenerator<PageItem<P>, void, undefined>;
  /** The same client for another tenant. */
  forTenant(tenant: string): PosternClient;
}

/** `/t/<tenant>` for a tenant other than `default`, else the empty string. */
export function tenantPrefix(tenant: string | undefined): string {
  return !tenant || tenant === 'default' ? '' : `/t/${encodeURIComponent(tenant)}`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Wraps `fetch` so that a 429 with a short enough `Retry-After` is waited out and sent again. */
export function retryingFetch(
  base: (input: Request) => Promise<Response>,
  options: RetryOptions = {},
): (input: Request) => Promise<Response> {
  const maxRetries = Math.max(0, Math.floor(options.maxRetries ?? 2));
  const maxDelaySeconds = Math.max(0, options.maxDelaySeconds ?? 30);
  return async (request) => {
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= maxRetries;
      const res = await base(last ? request : request.clone());
      if (res.status !== 429 || last) return res;
      const wait = parseRetryAfter(res.headers.get('retry-after'));
      if (wait === null || wait > maxDelaySeconds) return res;
      await res.body?.cancel();
      await sleep(wait * 1000, request.signal);
    }
  };
}

export function createPosternClient(options: PosternClientOptions): PosternClient {
  const base = options.fetch ?? ((input: Request) => globalThis.fetch(input));
  const fetch = options.retry ? retryingFetch(base, options.retry === true ? {} : options.retry) : base;
  const api = createFetchClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, '') + tenantPrefix(options.tenant),
    fetch,
    headers: {
      accept: 'application/json',
      ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
      ...options.headers,
    },
  });

  return {
    api,
    async sendCode(input) {
      return unwrap(api.POST('/api/verification-codes', { body: input }));
    },
    async verifyCode(input) {
      try {
        await unwrap(api.POST('/api/verification-codes/verify', { body: input }));
        return { ok: true };
      } catch (e) {
        const reason = e instanceof PosternError ? VERIFY_FAILURES[e.code] : undefined;
        if (!reason) throw e;
        return { ok: false, reason, error: e as PosternError };
      }
    },
    async *paginate(path, params) {
      let cursor: string | undefined;
      do {
        const query = { ...params?.query, ...(cursor ? { cursor } : {}) };
        // The path type is a union the compiler cannot narrow per call; the answer's type is PagedPath's.
        const get = api.GET as unknown as (
          p: string,
          init: { params: Record<string, unknown> },
        ) => Promise<Result<{ items: PageItem<typeof path>[]; nextCursor: string | null }>>;
        const page = await unwrap(get(path, { params: { query, ...(params?.path ? { path: params.path } : {}) } }));
        yield* page.items;
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    },
    forTenant(tenant) {
      return createPosternClient({ ...options, tenant });
    },
  };
}
