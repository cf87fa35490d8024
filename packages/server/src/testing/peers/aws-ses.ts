/**
 * A local Amazon SES v2: `aws-ses-v2-local` (which accepts SendEmail but checks no
 * signature) behind our own proxy that verifies AWS Signature V4 the way SES does, by
 * recomputing it by hand from the signed headers (scope, clock skew, payload hash,
 * constant-time comparison), applies the account's rules (verified identities, sandbox,
 * configuration sets, suspension), and answers errors with `x-amzn-ErrorType`.
 */
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sesLocalModule from 'aws-ses-v2-local';
import { startHttpPeer, type PeerReply } from '../../connectors/_provider/http-peer.test-helpers.js';

export interface SesReceived {
  to: string;
  subject: string;
  from: string;
  replyTo: string[];
  html?: string;
  text?: string;
  headers?: Array<{ Name: string; Value: string }>;
  configurationSetName?: string;
  messageId: string;
}

export interface SesPeerOptions {
  accessKeyId?: string;
  secretAccessKey?: string;
  region?: string;
  /** Verified identities: addresses or domains. Default: any sender. */
  verifiedIdentities?: string[];
  /** In the sandbox, recipients must be verified identities too. */
  sandbox?: boolean;
  configurationSets?: string[];
  /** How far the peer's clock is ahead of ours, to test skew (ms). */
  clockOffsetMs?: number;
}

// The package is CommonJS with an __esModule default: Node's ESM loader hands us the whole
// exports object, bundlers the function itself.
type StartSesLocal = (config?: { host?: string; port?: number }) => Promise<Server>;
const sesLocalExport = sesLocalModule as unknown as StartSesLocal | { default: StartSesLocal };
const startSesLocal: StartSesLocal = typeof sesLocalExport === 'function' ? sesLocalExport : sesLocalExport.default;

const MAX_SKEW_MS = 5 * 60 * 1000;
const fail = (status: number, type: string, message: string): PeerReply => ({
  status,
  headers: { 'x-amzn-errortype': type, 'x-amzn-requestid': randomUUID() },
  body: { message },
});
const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
const rfc3986 = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const addressOf = (v: string) => /<([^>]*)>\s*$/.exec(v)?.[1] ?? v.trim();

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** The SigV4 signature of a request, computed from its parts (service `ses`, non-S3 path rules). */
export function sigV4Signature(o: {
  method: string;
  rawPath: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  signedHeaders: string[];
  payloadHash: string;
  amzDate: string;
  scope: string;
  secretAccessKey: string;
}): string {
  const path = o.rawPath.split('/').map(rfc3986).join('/') || '/';
  const query = [...o.query.entries()]
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalHeaders = o.signedHeaders
    .map((h) => `${h}:${(headerValue(o.headers, h) ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const canonicalRequest = [o.method, path, query, canonicalHeaders, o.signedHeaders.join(';'), o.payloadHash].join(
    '\n',
  );
  const stringToSign = ['AWS4-HMAC-SHA256', o.amzDate, o.scope, sha256(canonicalRequest)].join('\n');
  const [date, region, service, terminator] = o.scope.split('/') as [string, string, string, string];
  const key = hmac(hmac(hmac(hmac(`AWS4${o.secretAccessKey}`, date), region), service), terminator);
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

function parseAmzDate(v: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(v);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : NaN;
}

export async function startSesPeer(options: SesPeerOptions = {}) {
  const accessKeyId = options.accessKeyId ?? 'AKIAPEERTEST0000001';
  const secretAccessKey = options.secretAccessKey ?? 'peer/secret/access/key/0123456789abcdef';
  const region = options.region ?? 'us-east-1';
  const received: SesReceived[] = [];
  const state = {
    rateLimited: false,
    outage: false,
    hang: false,
    account: 'active' as 'active' | 'suspended' | 'paused',
    mailFromVerified: true,
  };
  const backend: Server = await startSesLocal({ host: '127.0.0.1', port: 0 });
  const backendPort = (backend.address() as AddressInfo).port;
  const verified = (addr: string) =>
    !options.verifiedIdentities ||
    options.verifiedIdentities.includes(addr) ||
    options.verifiedIdentities.includes(addr.split('@')[1] ?? '');

  const forward = (method: string, path: string, headers: IncomingHttpHeaders, body: Buffer) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: backendPort,
          method,
          path,
          headers: { ...headers, host: `127.0.0.1:${backendPort}` },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 500, text: Buffer.concat(chunks).toString('utf8') }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  const http = await startHttpPeer(
    async (req) => {
      const auth = headerValue(req.headers, 'authorization') ?? '';
      const m =
        /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(
          auth,
        );
      if (!m) return fail(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
      const [, keyId, date, scopeRegion, service, signedList, signature] = m as unknown as [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
      ];
      if (keyId !== accessKeyId)
        return fail(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
      const signedHeaders = signedList.split(';');
      if (!signedHeaders.includes('host') || !signedHeaders.includes('x-amz-date'))
        return fail(403, 'SignatureDoesNotMatch', "'Host' or 'x-amz-date' must be a signed header.");
      const amzDate = headerValue(req.headers, 'x-amz-date') ?? '';
      const at = parseAmzDate(amzDate);
      const now = Date.now() + (options.clockOffsetMs ?? 0);
      if (Number.isNaN(at) || Math.abs(now - at) > MAX_SKEW_MS)
        return fail(
          403,
          'InvalidSignatureException',
          `Signature expired: ${amzDate} is now earlier or later than the allowed 5 minutes of skew.`,
        );
      if (scopeRegion !== region || service !== 'ses' || date !== amzDate.slice(0, 8))
        return fail(403, 'SignatureDoesNotMatch', `Credential should be scoped to a valid region and service ses.`);
      const payloadHash = sha256(req.body);
      const claimed = headerValue(req.headers, 'x-amz-content-sha256');
      if (claimed !== undefined && claimed !== payloadHash)
        return fail(
          400,
          'XAmzContentSHA256Mismatch',
          'The provided x-amz-content-sha256 header does not match what was computed.',
        );
      const rawPath = req.path;
      const expected = sigV4Signature({
        method: req.method,
        rawPath,
        query: req.query,
        headers: req.headers,
        signedHeaders,
        payloadHash,
        amzDate,
        scope: `${date}/${scopeRegion}/${service}/aws4_request`,
        secretAccessKey,
      });
      if (!timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(signature, 'hex'))) {
        return fail(
          403,
          'SignatureDoesNotMatch',
          'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
        );
      }
      if (state.rateLimited) return fail(429, 'TooManyRequestsException', 'Maximum sending rate exceeded.');
      if (state.outage)
        return fail(
          500,
          'InternalFailure',
          'The request processing has failed because of an unknown error, exception or failure.',
        );
      if (req.method !== 'POST' || req.path !== '/v2/email/outbound-emails') {
        const res = await forward(req.method, req.path, req.headers, req.body);
        return { status: res.status, body: res.text };
      }
      const b = JSON.parse(req.body.toString('utf8')) as Record<string, any>;
      if (state.account === 'suspended')
        return fail(400, 'AccountSuspendedException', 'The account has been suspended for sending.');
      if (state.account === 'paused') return fail(400, 'SendingPausedException', 'Sending is paused for this account.');
      const from = addressOf(String(b.FromEmailAddress ?? ''));
      const to: string[] = b.Destination?.ToAddresses ?? [];
      const unverified = [from, ...(options.sandbox ? to : [])].filter((a) => !verified(a));
      if (unverified.length > 0)
        return fail(
          400,
          'MessageRejected',
          `Email address is not verified. The following identities failed the check in region ${region.toUpperCase()}: ${unverified.join(', ')}`,
        );
      if (!state.mailFromVerified)
        return fail(
          400,
          'MailFromDomainNotVerifiedException',
          'The MAIL FROM domain of the sending identity is not verified.',
        );
      if (b.ConfigurationSetName && !(options.configurationSets ?? []).includes(b.ConfigurationSetName))
        return fail(404, 'NotFoundException', `Configuration set <${b.ConfigurationSetName}> does not exist.`);
      const res = await forward(req.method, req.path, req.headers, req.body);
      if (res.status === 200) {
        const simple = b.Content?.Simple;
        received.push({
          to: to.join(', '),
          subject: simple?.Subject?.Data ?? '',
          from: b.FromEmailAddress,
          replyTo: b.ReplyToAddresses ?? [],
          messageId: (JSON.parse(res.text) as { MessageId: string }).MessageId,
          ...(simple?.Body?.Html ? { html: simple.Body.Html.Data } : {}),
          ...(simple?.Body?.Text ? { text: simple.Body.Text.Data } : {}),
          ...(simple?.Headers ? { headers: simple.Headers } : {}),
          ...(b.ConfigurationSetName ? { configurationSetName: b.ConfigurationSetName } : {}),
        });
      }
      return {
        status: res.status,
        headers: { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID() },
        body: res.text,
      };
    },
    { hang: () => state.hang },
  );

  return Object.assign(state, {
    url: http.url,
    nextRequest: http.nextRequest,
    accessKeyId,
    secretAccessKey,
    region,
    received,
    /** What the emulator behind the proxy stored (all peers of this process share it). */
    async store(): Promise<{ emails: Array<{ messageId: string; destination: { to: string[] } }> }> {
      const res = await forward('GET', '/store', {}, Buffer.alloc(0));
      return JSON.parse(res.text) as { emails: Array<{ messageId: string; destination: { to: string[] } }> };
    },
    async close() {
      await http.close();
      backend.closeAllConnections?.();
      await new Promise<void>((resolve) => backend.close(() => resolve()));
    },
  });
}
