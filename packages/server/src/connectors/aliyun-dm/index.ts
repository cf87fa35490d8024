import { randomUUID } from 'node:crypto';
import { readConnectorFile, defineConnector, resolveSender, type EmailMessage } from '@postern/connector-kit';
import { createHttpClient, stringField } from '@postern/connector-kit';
import { aliyunDmError } from './errors.js';
import { aliyunDmConfigSchema, aliyunDmEndpoint, type AliyunDmConfig } from './schema.js';
import { rpcTimestamp, signRpcV1 } from './signature.js';

// The console shows these; they are read from the files beside this module (copied to dist by the build).
const readme = readConnectorFile(import.meta.url, 'README.md');
const logo = readConnectorFile(import.meta.url, 'logo.svg');

/** The SingleSendMail parameters of a message, before the common signing parameters. */
export function singleSendMailParams(config: AliyunDmConfig, message: EmailMessage): Record<string, string> {
  const sender = resolveSender(message, { fromEmail: config.accountName, fromName: config.fromAlias });
  const params: Record<string, string> = {
    Action: 'SingleSendMail',
    AccountName: sender.email,
    AddressType: '1',
    ReplyToAddress: String(config.replyToAddress || message.replyTo !== undefined),
    ToAddress: message.to,
    Subject: message.subject,
    HtmlBody: message.html,
  };
  if (message.text) params.TextBody = message.text;
  // DirectMail caps the alias at 15 characters and refuses longer ones.
  if (sender.name) params.FromAlias = [...sender.name].slice(0, 15).join('');
  if (message.replyTo) params.ReplyAddress = message.replyTo;
  return params;
}

export default defineConnector<AliyunDmConfig>({
  id: 'aliyun-dm',
  name: 'Aliyun DirectMail',
  description: 'Send through Alibaba Cloud DirectMail (SingleSendMail) in the region of your sender address.',
  logo,
  readme,
  configSchema: aliyunDmConfigSchema,
  capabilities: { customTemplates: true, providerTemplates: false, customSender: true },
  create(config, ctx) {
    const secrets = [config.accessKeySecret];
    const client = createHttpClient({
      provider: 'DirectMail',
      fetch: ctx.fetch,
      baseUrl: aliyunDmEndpoint(config),
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    });
    return {
      async send(message, { signal }) {
        // A fresh nonce and timestamp per attempt: the API refuses a reused nonce.
        const params: Record<string, string> = {
          ...singleSendMailParams(config, message),
          Format: 'JSON',
          Version: '2015-11-23',
          AccessKeyId: config.accessKeyId,
          SignatureMethod: 'HMAC-SHA1',
          SignatureVersion: '1.0',
          SignatureNonce: randomUUID(),
          Timestamp: rpcTimestamp(new Date()),
          RegionId: config.regionId,
        };
        params.Signature = signRpcV1('POST', params, config.accessKeySecret);
        const res = await client.request('/', { body: new URLSearchParams(params), signal });
        if (res.status === 200)
          return { providerMessageId: stringField(res.json, 'EnvId') ?? stringField(res.json, 'RequestId') ?? null };
        throw aliyunDmError(res, secrets);
      },
    };
  },
});
