import net from 'node:net';
import tls from 'node:tls';

/**
 * A bare SMTP client for tests that must say what a library would not (AUTH before
 * STARTTLS, a message over the advertised SIZE): one command, one reply.
 */
export interface RawSmtp {
  /** Sends a line (CRLF added) and reads the whole reply. */
  command(line: string): Promise<{ code: number; text: string }>;
  /** Sends bytes as they are and reads the reply (the end of DATA). */
  send(data: Buffer | string): Promise<{ code: number; text: string }>;
  close(): void;
}

export async function rawSmtp(port: number, opts: { tls?: { ca: string } } = {}): Promise<RawSmtp & { greeting: { code: number; text: string } }> {
  const socket: net.Socket = opts.tls
    ? tls.connect({ host: '127.0.0.1', port, ca: opts.tls.ca, servername: 'localhost' })
    : net.connect({ host: '127.0.0.1', port });
  let buffer = '';
  let waiting: ((r: { code: number; text: string }) => void) | undefined;
  let failed: ((e: Error) => void) | undefined;
  const pump = () => {
    // A reply ends with a line "NNN text" (a space after the code, not a dash).
    const lines = buffer.split('\r\n');
    for (let i = 0; i < lines.length - 1; i++) {
      if (/^\d{3} /.test(lines[i]!) || /^\d{3}$/.test(lines[i]!)) {
        const reply = lines.slice(0, i + 1);
        buffer = lines.slice(i + 1).join('\r\n');
        const w = waiting;
        waiting = undefined;
        w?.({ code: Number(reply[i]!.slice(0, 3)), text: reply.join('\n') });
        return;
      }
    }
  };
  socket.on('data', (c: Buffer) => {
    buffer += c.toString('latin1');
    pump();
  });
  socket.on('error', (e) => failed?.(e));
  const next = () =>
    new Promise<{ code: number; text: string }>((resolve, reject) => {
      waiting = resolve;
      failed = reject;
      pump();
    });
  const greeting = await next();
  return {
    greeting,
    command: (line) => {
      const r = next();
      socket.write(`${line}\r\n`);
      return r;
    },
    send: (data) => {
      const r = next();
      socket.write(data);
      return r;
    },
    close: () => socket.destroy(),
  };
}
