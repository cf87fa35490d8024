import { describe, it, expect } from 'vitest';
import { configJsonSchema, secretPaths, type ConnectorFactory } from '@postern/connector-kit';
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
