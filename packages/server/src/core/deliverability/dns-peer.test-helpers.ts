import dns2 from 'dns2';
import type { AddressInfo } from 'node:net';

const { Packet } = dns2;
const NXDOMAIN = 3; // RFC 1035 §4.1.1; dns2's types do not declare Packet.RCODE

/** TXT records by name; each record is its list of character-strings. */
export type TxtZone = Record<string, string[][]>;

export interface DnsPeer {
  /** `127.0.0.1:PORT`, for createResolver */
  address: string;
  /** Names asked for, lower-cased, in order. */
  queries: string[];
  close(): Promise<void>;
}

/**
 * A loopback DNS server (UDP and TCP on one port) answering TXT queries from `zone`,
 * NXDOMAIN for names it does not hold and NOERROR/no answers for other types there.
 */
export async function startDnsPeer(zone: TxtZone): Promise<DnsPeer> {
  const records = new Map(Object.entries(zone).map(([k, v]) => [k.toLowerCase(), v]));
  const queries: string[] = [];
  const handle: dns2.DnsHandler = (request, send) => {
    const response = Packet.createResponseFromRequest(request);
    const [question] = request.questions;
    if (question) {
      const name = question.name.toLowerCase().replace(/\.$/, '');
      queries.push(name);
      const rows = records.get(name);
      if (!rows) response.header.rcode = NXDOMAIN;
      else if (question.type === Packet.TYPE.TXT) {
        for (const data of rows)
          response.answers.push({
            name: question.name,
            type: Packet.TYPE.TXT,
            class: Packet.CLASS.IN,
            ttl: 60,
            data,
          } as never);
      }
    }
    void send(response);
  };
  // The UDP port may be taken for TCP by someone else: try a few fresh ports.
  for (let attempt = 0; ; attempt++) {
    const udp = dns2.createUDPServer(handle);
    await udp.listen(0, '127.0.0.1');
    const port = (udp.address() as AddressInfo).port;
    const tcp = dns2.createTCPServer(handle);
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(port, '127.0.0.1', () => resolve());
      });
    } catch (err) {
      await new Promise<void>((resolve) => udp.close(() => resolve()));
      if (attempt < 5) continue;
      throw err;
    }
    return peer(udp, tcp, port);
  }

  function peer(udp: dns2.UDPServer, tcp: dns2.TCPServer, port: number): DnsPeer {
    return {
      address: `127.0.0.1:${port}`,
      queries,
      async close() {
        await Promise.all([
          new Promise<void>((resolve) => udp.close(() => resolve())),
          new Promise<void>((resolve) => tcp.close(() => resolve())),
        ]);
      },
    };
  }
}
