import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One scripted answer: a status, a full response, or `'stall'` (never answer). */
export type WebhookScriptStep = number | 'stall' | { status: number; headers?: Record<string, string>; body?: string };

export interface WebhookPeerOptions {
  /** The `whsec_…` secret; signatures are verified with the `standardwebhooks` package. */
  secret?: string;
  /** The Authorization header the receiver expects; anything else gets 401. */
  authorization?: string;
  /** Answers for the first requests, in order; later requests get 200 `{"id":"msg_N"}`. */
  script?: WebhookScriptStep[];
  /** Listen on this port (a receiver that comes back where it was); default a free one. */
  port?: number;
}

export interface ReceivedWebhook {
  headers: http.IncomingHttpHeaders;
  /** The parsed JSON body (or the raw text if it was not JSON). */
  body: unknown;
  raw: string;
  /** The Standard Webhooks signature checked out over the raw body bytes. */
  verified: boolean;
}

export interface WebhookPeer {
  url: string;
  received: ReceivedWebhook[];
  close(): Promise<void>;
}

/** A webhook receiver on 127.0.0.1 and a free port, for HTTP connector tests. */
export async function startWebhookPeer(opts: WebhookPeerOptions = {}): Promise<WebhookPeer> {
  const received: ReceivedWebhook[] = [];
  const script = [...(opts.script ?? [])];
  const verifier = opts.secret ? new Webhook(opts.secret) : undefined;
  let delivered = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBytes = Buffer.concat(chunks);
      const raw = rawBytes.toString('utf8');
      let verified = false;
      if (verifier) {
        try {
          verifier.verify(rawBytes, headerRecord(req.headers));
          verified = true;
        } catch {
          verified = false;
        }
      }
      let body: unknown = raw;
      try {
        body = JSON.parse(raw);
      } catch {
        // kept as text
      }
      received.push({ headers: req.headers, body, raw, verified });

      const step = script.shift();
      if (step === 'stall') return; // the connector's abort signal has to end this
      if (opts.authorization !== undefined && req.headers.authorization !== opts.authorization) {
        return send(res, 401, {}, JSON.stringify({ error: 'unauthorized' }));
      }
      if (step === undefined) {
        delivered += 1;
        return send(res, 200, {}, JSON.stringify({ id: `msg_${delivered}` }));
      }
      if (typeof step === 'number') return send(res, step, {}, JSON.stringify({ error: `scripted ${step}` }));
      return send(res, step.status, step.headers ?? {}, step.body ?? '');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/email`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: http.ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body);
}

function headerRecord(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (typeof v === 'string') out[k] = v;
  return out;
}
