import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface ListenerCertificate {
  cert: string;
  key: string;
  /** SHA-256 fingerprint, `AB:CD:…`, printed at start for clients that pin it. */
  fingerprint: string;
  /** Where it came from: the operator's files, or one made in the data directory. */
  origin: 'configured' | 'generated';
  /** Whether it was made on this start. */
  created: boolean;
}

/**
 * The listener's certificate (SPEC §18): POSTERN_SMTP_TLS_CERT/KEY when set, else a
 * self-signed one kept in the data directory, so that it stays the same across restarts
 * and a client that pinned it keeps trusting it.
 */
export async function loadListenerCertificate(opts: { certFile?: string | undefined; keyFile?: string | undefined; dataDir: string; hostname: string }): Promise<ListenerCertificate> {
  if (opts.certFile && opts.keyFile) {
    const cert = readFileSync(opts.certFile, 'utf8');
    const key = readFileSync(opts.keyFile, 'utf8');
    return { cert, key, fingerprint: new X509Certificate(cert).fingerprint256, origin: 'configured', created: false };
  }
  const dir = join(opts.dataDir, 'smtp-tls');
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  if (existsSync(certPath) && existsSync(keyPath)) {
    const cert = readFileSync(certPath, 'utf8');
    return { cert, key: readFileSync(keyPath, 'utf8'), fingerprint: new X509Certificate(cert).fingerprint256, origin: 'generated', created: false };
  }
  const now = Date.now();
  const names = [...new Set([opts.hostname, 'localhost'])];
  const pems = await generate([{ name: 'commonName', value: opts.hostname }], {
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 60_000),
    notAfterDate: new Date(now + 10 * 365 * 24 * 3600_000),
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...names.map((n) => (isIP(n) ? { type: 7 as const, ip: n } : { type: 2 as const, value: n })),
          { type: 7 as const, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(keyPath, pems.private, { mode: 0o600 });
  chmodSync(keyPath, 0o600);
  writeFileSync(certPath, pems.cert, { mode: 0o644 });
  return { cert: pems.cert, key: pems.private, fingerprint: new X509Certificate(pems.cert).fingerprint256, origin: 'generated', created: true };
}
