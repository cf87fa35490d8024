import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 and a free port, in front of one upstream (PostgreSQL, Redis,
 * an SMTP server…), that a test can cut and restore without touching the upstream.
 */
export interface TcpProxy {
  host: '127.0.0.1';
  port: number;
  /**
   * Cuts the link: every open connection is destroyed (both sides) and new ones are
   * closed as soon as they arrive, as when the service goes down.
   */
  pause(): void;
  /** Forwards new connections again. */
  resume(): void;
  readonly paused: boolean;
  /** Connections accepted since start (including the ones refused while paused). */
  accepted(): number;
  /** Connections currently forwarded. */
  open(): number;
  close(): Promise<void>;
}

export async function startTcpProxy(upstream: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<{ client: net.Socket; server: net.Socket }>();
  let paused = false;
  let accepted = 0;

  const server = net.createServer((client) => {
    accepted += 1;
    client.on('error', () => undefined);
    if (paused) {
      client.destroy();
      return;
    }
    const up = net.connect({ host: upstream.host, port: upstream.port });
    up.on('error', () => client.destroy());
    client.on('error', () => up.destroy());
    const pair = { client, server: up };
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      up.destroy();
    };
    client.on('close', drop);
    up.on('close', drop);
    client.pipe(up);
    up.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const cutAll = () => {
    for (const p of [...pairs]) {
      p.client.destroy();
      p.server.destroy();
    }
    pairs.clear();
  };

  return {
    host: '127.0.0.1',
    port,
    pause() {
      paused = true;
      cutAll();
    },
    resume() {
      paused = false;
    },
    get paused() {
      return paused;
    },
    accepted: () => accepted,
    open: () => pairs.size,
    close: () =>
      new Promise<void>((resolve) => {
        cutAll();
        server.close(() => resolve());
      }),
  };
}
