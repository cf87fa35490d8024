/**
 * The bare HTTP server under every provider peer in src/testing/peers: loopback only,
 * port 0, whole body read, and a close() that also drops keep-alive connections.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PeerRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface PeerReply {
  status: number;
  headers?: Record<string, string>;
  /** A string is sent as it is; anything else as JSON. */
  body?: unknown;
}

export interface HttpPeer {
  url: string;
  /** Resolves when the next request has arrived in full (before it is answered). */
  nextRequest(): Promise<void>;
  close(): Promise<void>;
}

export interface HttpPeerOptions {
  /** While this returns true, requests are read but never answered (a provider that hangs). */
  hang?: () => boolean;
}

export async function startHttpPeer(
  handle: (req: PeerRequest) => PeerReply | Promise<PeerReply>,
  options: HttpPeerOptions = {},
): Promise<HttpPeer> {
  let waiting: Array<() => void> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://peer');
      const arrived = waiting;
      waiting = [];
      for (const w of arrived) w();
      if (options.hang?.()) return;
      Promise.resolve()
        .then(() =>
          handle({
            method: req.method ?? 'GET',
            path: url.pathname,
            query: url.searchParams,
            headers: req.headers,
            body: Buffer.concat(chunks),
          }),
        )
        .then((reply) => {
          const headers = { ...reply.headers };
          let body = '';
          if (typeof reply.body === 'string') body = reply.body;
          else if (reply.body !== undefined) {
            body = JSON.stringify(reply.body);
            headers['content-type'] ??= 'application/json; charset=utf-8';
          }
          res.writeHead(reply.status, headers).end(body);
        })
        .catch((err: unknown) =>
          res.writeHead(500, { 'content-type': 'text/plain' }).end(`peer error: ${String(err)}`),
        );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closed = false;
  return {
    url: `http://127.0.0.1:${port}`,
    nextRequest: () => new Promise<void>((resolve) => waiting.push(resolve)),
    async close() {
      if (closed) return;
      closed = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Parses a urlencoded or multipart body the way the provider would. */
export async function parseForm(body: Buffer, contentType: string | undefined): Promise<Map<string, string[]>> {
  const form = await new Response(body, {
    headers: { 'content-type': contentType ?? 'application/x-www-form-urlencoded' },
  }).formData();
  const out = new Map<string, string[]>();
  for (const [k, v] of form.entries()) {
    if (typeof v !== 'string') continue;
    out.set(k, [...(out.get(k) ?? []), v]);
  }
  return out;
}

/** A deliberately simple address check, like the providers' syntax check. */
export function isEmailAddress(value: unknown): value is string {
  return typeof value === 'string' && /^[^\s@<>()",;]+@[^\s@<>()",;]+\.[^\s@<>()",;]+$/.test(value);
}
