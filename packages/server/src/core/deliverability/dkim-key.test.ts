import { describe, it, expect, beforeAll } from 'vitest';
import { createPublicKey, createPrivateKey } from 'node:crypto';
import nodemailer from 'nodemailer';
import { authenticate } from 'mailauth';
import { generateDkimKey, DeliverabilityInputError, type DkimKeyMaterial } from './index.js';

let key: DkimKeyMaterial;
beforeAll(async () => {
  key = await generateDkimKey('Postern.TEST', 'auth1');
});

describe('generateDkimKey', () => {
  it('makes an RSA-2048 key and the TXT record that publishes it', () => {
    expect(key.domain).toBe('postern.test');
    expect(key.dnsName).toBe('auth1._domainkey.postern.test');
    expect(createPrivateKey(key.privateKeyPem).asymmetricKeyDetails?.modulusLength).toBe(2048);
    const spki = createPublicKey(key.publicKeyPem).export({ type: 'spki', format: 'der' }).toString('base64');
    expect(key.dnsValue).toBe(`v=DKIM1; k=rsa; p=${spki}`);
    expect(key.dnsStrings.length).toBeGreaterThan(1);
    expect(key.dnsStrings.every((s) => s.length <= 255)).toBe(true);
    expect(key.dnsStrings.join('')).toBe(key.dnsValue);
  });

  it('accepts an internationalized domain in its ASCII form', async () => {
    const k = await generateDkimKey('bücher.example', 's_1-a');
    expect(k.dnsName).toBe('s_1-a._domainkey.xn--bcher-kva.example');
  });

  it.each([
    ['domain', 'not a domain', 'auth1'],
    ['domain', 'localhost', 'auth1'],
    ['domain', '192.168.0.1', 'auth1'],
    ['domain', `${'a'.repeat(64)}.example`, 'auth1'],
    ['selector', 'example.com', ''],
    ['selector', 'example.com', 'has.dot'],
    ['selector', 'example.com', 'x'.repeat(64)],
  ])('refuses a bad %s (%j, %j) with DeliverabilityInputError', async (field, domain, selector) => {
    const err = await generateDkimKey(domain, selector).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliverabilityInputError);
    expect((err as DeliverabilityInputError).field).toBe(field);
  });
});

describe('a message signed with the generated key', () => {
  async function signedMessage(): Promise<Buffer> {
    const transport = nodemailer.createTransport({
      streamTransport: true,
      buffer: true,
      dkim: { domainName: key.domain, keySelector: key.selector, privateKey: key.privateKeyPem },
    });
    const info = await transport.sendMail({
      from: 'no-reply@postern.test',
      to: 'user@example.test',
      subject: 'Your sign-in code',
      text: 'Use the code in the app to sign in.',
    });
    return info.message as Buffer;
  }

  async function dkimResult(raw: Buffer | string) {
    const result = await authenticate(raw, {
      ip: '192.0.2.1',
      helo: 'mail.postern.test',
      sender: 'no-reply@postern.test',
      mta: 'mx.example.test',
      resolver: async (name: string, type: string) => {
        if (type === 'TXT' && name === key.dnsName) return [key.dnsStrings];
        throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
      },
    });
    return result.dkim.results[0];
  }

  it('verifies with mailauth against the published dnsStrings', async () => {
    const dkim = await dkimResult(await signedMessage());
    expect(dkim?.signingDomain).toBe('postern.test');
    expect(dkim?.status.result).toBe('pass');
  });

  it('fails verification once the body is modified', async () => {
    const raw = (await signedMessage()).toString('utf8');
    expect(raw).toContain('Use the code in the app');
    const dkim = await dkimResult(raw.replace('Use the code in the app', 'Use the code on the web'));
    // mailauth reports a body-hash mismatch as "neutral" with this comment, not as "fail".
    expect(dkim?.status.result).not.toBe('pass');
    expect(dkim?.status.comment).toBe('body hash did not verify');
  });

  it('fails verification once a signed header is modified', async () => {
    const raw = (await signedMessage()).toString('utf8');
    const dkim = await dkimResult(raw.replace('Subject: Your sign-in code', 'Subject: Your sign-in link'));
    expect(dkim?.status.result).toBe('fail');
  });
});
