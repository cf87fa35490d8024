import { describe, it, expect } from 'vitest';
import {
  changedDestinations,
  configJsonSchema,
  destination,
  destinationPaths,
  maskedSecretPaths,
  secret,
  secretPaths,
  z,
  type ConnectorFactory,
} from '@postern/connector-kit';
import sendgrid from '../sendgrid/index.js';
import mailgun from '../mailgun/index.js';
import postmark from '../postmark/index.js';
import awsSes from '../aws-ses/index.js';
import aliyunDm from '../aliyun-dm/index.js';
import resend from '../resend/index.js';

const expected: Array<[ConnectorFactory, string, string[], boolean]> = [
  [sendgrid, 'sendgrid', ['apiKey'], true],
  [mailgun, 'mailgun', ['apiKey', 'webhookSigningKey'], true],
  [postmark, 'postmark', ['serverToken'], true],
  [awsSes, 'aws-ses', ['secretAccessKey'], false],
  [aliyunDm, 'aliyun-dm', ['accessKeySecret'], false],
  [resend, 'resend', ['apiKey', 'webhookSecret'], false],
];

describe('provider factories', () => {
  for (const [factory, id, secrets, providerTemplates] of expected) {
    it(`${id}: id, secret fields (writeOnly in the JSON Schema) and capabilities are as SPEC §3.1 says`, () => {
      expect(factory.id).toBe(id);
      expect(secretPaths(factory.configSchema)).toEqual(secrets);
      expect(factory.capabilities).toEqual({ customTemplates: true, providerTemplates, customSender: true });
      const schema = configJsonSchema(factory.configSchema) as { additionalProperties?: unknown };
      expect(schema.additionalProperties).toBe(false);
    });
  }
});

describe('destination fields (connector kit)', () => {
  const schema = z.strictObject({
    key: secret(z.string()),
    url: destination(z.url().optional()),
    auth: z
      .discriminatedUnion('type', [
        z.strictObject({ type: z.literal('a'), token: secret(z.string()) }),
        z.strictObject({
          type: z.literal('b'),
          tokenUrl: destination(z.url()),
          tls: z.strictObject({ ca: destination(z.string()) }).optional(),
        }),
      ])
      .optional(),
  });

  it('finds destination paths inside optional fields, unions and nested objects', () => {
    expect(destinationPaths(schema)).toEqual(['auth.tls.ca', 'auth.tokenUrl', 'url']);
    expect(secretPaths(schema)).toEqual(['auth.token', 'key']);
  });

  it('compares destinations by value, whatever the key order (PostgreSQL jsonb reorders keys)', () => {
    const paths = destinationPaths(schema);
    const a = { url: 'https://a.test', auth: { type: 'b', tokenUrl: 'https://t.test', tls: { ca: 'X' } } };
    const reordered = { auth: { tls: { ca: 'X' }, tokenUrl: 'https://t.test', type: 'b' }, url: 'https://a.test' };
    expect(changedDestinations(reordered, a, paths)).toEqual([]);
    expect(changedDestinations({ ...a, url: undefined }, a, paths)).toEqual(['url']);
    expect(changedDestinations({ ...a, auth: { type: 'a', token: 't' } }, a, paths)).toEqual([
      'auth.tls.ca',
      'auth.tokenUrl',
    ]);
  });

  it('lists the masked secrets that would be filled from the stored config', () => {
    const stored = { key: 'stored-key-0001', auth: { type: 'a', token: 'stored-token-0001' } };
    expect(
      maskedSecretPaths({ key: '••••0001', auth: { type: 'a', token: 'new-token' } }, stored, secretPaths(schema)),
    ).toEqual(['key']);
    expect(maskedSecretPaths({ key: '••••0001' }, {}, secretPaths(schema))).toEqual([]);
  });
});
