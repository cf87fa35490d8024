/**
 * A local stand-in for Mailgun's Messages API, serving one region: checks Basic auth
 * (`api:KEY`), that the domain exists in this region (a domain of the other region gets
 * the same `401 Forbidden` as a bad key, as on the real service), the form fields and
 * templates, and answers `{"id","message"}` or `{"message"}`.
 */
import { randomUUID } from 'node:crypto';
import { isEmailAddress, parseForm, startHttpPeer } from '../../connectors/_provider/http-peer.test-helpers.js';

export interface MailgunReceived {
  to: string;
  subject: string;
  domain: string;
  from: string;
  text?: string;
  html?: string;
  replyTo?: string;
  template?: string;
  variables?: Record<string, unknown>;
  /** The `h:` headers, without the prefix. */
  headers: Record<string, string>;
  id: string;
}

export interface MailgunPeerOptions {
  apiKey?: string;
  /** The region this peer plays. */
  region?: 'us' | 'eu';
  /** Domains and the region each was created in. */
  domains?: Record<string, 'us' | 'eu'>;
  /** Stored template names, per domain. */
  templates?: Record<string, string[]>;
  /** Sandbox domains only send to these. */
  authorizedRecipients?: Record<string, string[]>;
}

const addressOf = (v: string) => /<([^>]*)>\s*$/.exec(v)?.[1] ?? v.trim();

export async function startMailgunPeer(options: MailgunPeerOptions = {}) {
  const apiKey = options.apiKey ?? 'key-peer-0123456789';
  const region = options.region ?? 'us';
  const domains = options.domains ?? { 'mg.example.test': region };
  const received: MailgunReceived[] = [];
  const state = { rateLimited: false, outage: false, hang: false };
  const forbidden = { status: 401, headers: { 'content-type': 'text/plain' }, body: 'Forbidden' };
  const http = await startHttpPeer(
    async (req) => {
      const m = /^\/v3\/([^/]+)\/messages$/.exec(req.path);
      if (req.method !== 'POST' || !m) return { status: 404, body: { message: 'Not Found' } };
      const domain = decodeURIComponent(m[1]!);
      if (req.headers.authorization !== `Basic ${Buffer.from(`api:${apiKey}`).toString('base64')}`) return forbidden;
      if (domains[domain] === undefined) return { status: 404, body: { message: `Domain not found: ${domain}` } };
      if (domains[domain] !== region) return forbidden;
      if (state.rateLimited)
        return { status: 429, headers: { 'retry-after': '2' }, body: { message: 'Too many requests' } };
      if (state.outage) return { status: 503, body: { message: 'Service Unavailable' } };
      const form = await parseForm(req.body, req.headers['content-type']);
      const one = (k: string) => form.get(k)?.[0];
      const from = one('from');
      if (!from || !isEmailAddress(addressOf(from)))
        return { status: 400, body: { message: 'from parameter is not a valid address. please check documentation' } };
      const to = one('to');
      if (!to) return { status: 400, body: { message: 'to parameter is missing' } };
      if (!to.split(',').every((a) => isEmailAddress(addressOf(a))))
        return { status: 400, body: { message: 'to parameter is not a valid address. please check documentation' } };
      const allowed = options.authorizedRecipients?.[domain];
      if (allowed && !to.split(',').every((a) => allowed.includes(addressOf(a)))) {
        return {
          status: 403,
          body: {
            message: `Domain ${domain} is not allowed to send: Free accounts are for test purposes only. Please upgrade or add the address to authorized recipients in Account Settings.`,
          },
        };
      }
      const template = one('template');
      let variables: Record<string, unknown> | undefined;
      if (template) {
        if (!(options.templates?.[domain] ?? []).includes(template))
          return { status: 404, body: { message: 'template not found' } };
        const raw = one('h:X-Mailgun-Variables');
        if (raw !== undefined) {
          try {
            variables = JSON.parse(raw) as Record<string, unknown>;
          } catch {
            return { status: 400, body: { message: 'h:X-Mailgun-Variables parameter is not a valid JSON' } };
          }
        }
      } else {
        if (!one('subject')) return { status: 400, body: { message: 'subject parameter is missing' } };
        if (!one('text') && !one('html'))
          return {
            status: 400,
            body: { message: "Need at least one of 'text', 'html', 'amp-html' or 'template' parameters specified" },
          };
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of form) if (k.startsWith('h:') && v[0] !== undefined) headers[k.slice(2)] = v[0];
      const id = `<${Date.now()}.${randomUUID().slice(0, 8)}@${domain}>`;
      const text = one('text');
      const html = one('html');
      const replyTo = headers['Reply-To'];
      received.push({
        to,
        subject: one('subject') ?? '',
        domain,
        from,
        id,
        headers,
        ...(text === undefined ? {} : { text }),
        ...(html === undefined ? {} : { html }),
        ...(replyTo === undefined ? {} : { replyTo }),
        ...(template ? { template } : {}),
        ...(variables ? { variables } : {}),
      });
      return { status: 200, body: { id, message: 'Queued. Thank you.' } };
    },
    { hang: () => state.hang },
  );
  return Object.assign(state, {
    url: http.url,
    nextRequest: http.nextRequest,
    apiKey,
    region,
    received,
    close: http.close,
  });
}
