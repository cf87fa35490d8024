import { generate } from 'selfsigned';

export interface TestCertificate {
  /** PEM private key, for the server. */
  key: string;
  /** PEM certificate, for the server and for clients that pin it (`tls.ca`). */
  cert: string;
}

/**
 * A fresh self-signed certificate for `localhost` and `127.0.0.1`, valid for a day. Clients
 * trust it by pinning `cert` as their CA, never by turning verification off.
 */
export async function createTestCertificate(commonName = 'localhost'): Promise<TestCertificate> {
  const now = Date.now();
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    // RSA: with the installed @peculiar packages, EC keys fail to serialise (two copies of
    // @peculiar/asn1-schema are installed side by side).
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 60_000),
    notAfterDate: new Date(now + 24 * 3600_000),
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}
