// The bare SMTP client of the bench: a nodemailer pool into a plain receiver (pool: true,
// 100 messages per connection, no TLS). With `noDelay` its sockets are opened with Nagle's
// algorithm off and handed to nodemailer through `getSocket` (nodemailer's own connect leaves
// it on, which stalls every message on loopback: see docs/benchmarks.md). The raw SMTP rows,
// the forwarder and the better-auth app all send through this.
import net from 'node:net';
import nodemailer from 'nodemailer';

export function barePool({ host, port }, { maxConnections = 5, noDelay = true } = {}) {
  return nodemailer.createTransport({
    host,
    port,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections,
    maxMessages: 100,
    ...(noDelay
      ? {
          getSocket: (_o, callback) => {
            const socket = net.connect({ host, port, noDelay: true });
            socket.once('connect', () => callback(null, { connection: socket }));
            socket.once('error', (err) => callback(err));
          },
        }
      : {}),
  });
}
