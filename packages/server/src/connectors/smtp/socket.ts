import net from 'node:net';
import type { ConnectorContext } from '@postern/connector-kit';

/**
 * Opens the TCP connection for nodemailer's `getSocket` hook, so that every connection
 * passes the destination policy. nodemailer resolves host names itself (lib/shared
 * `resolveHostname`) and then connects to the bare IP, which would skip a `lookup` hook;
 * handing it a socket we opened keeps the check on the address actually connected to.
 * TLS (implicit or STARTTLS) is then layered over this socket by nodemailer.
 */
export async function openPolicySocket(ctx: ConnectorContext, host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (net.isIP(bare)) await ctx.assertDestination(bare);
  return new Promise<net.Socket>((resolve, reject) => {
    const socket = net.connect({
      host: bare,
      port,
      // SMTP is a chatty request/response protocol: without this every command waits for
      // the peer's delayed ACK (about 40 ms), capping a pooled connection near 20 messages/s.
      noDelay: true,
      ...(net.isIP(bare) ? {} : { lookup: ctx.lookup as unknown as net.LookupFunction }),
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error('Connection timeout'), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeListener('error', onError);
      resolve(socket);
    });
    const onError = (err: Error) => {
      clearTimeout(timer);
      reject(err);
    };
    socket.once('error', onError);
  });
}
