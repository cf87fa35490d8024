import { destination, isSingleLineText, secret, SINGLE_LINE_MESSAGE, z } from '@postern/connector-kit';
import { fromEmail, httpUrl } from '../_provider/schema.js';

/** DirectMail's public API address per region (a sender address only works in its own region). */
export const ALIYUN_DM_ENDPOINTS = {
  'cn-hangzhou': 'https://dm.aliyuncs.com',
  'ap-southeast-1': 'https://dm.ap-southeast-1.aliyuncs.com',
  'ap-southeast-2': 'https://dm.ap-southeast-2.aliyuncs.com',
  'eu-central-1': 'https://dm.eu-central-1.aliyuncs.com',
  'us-east-1': 'https://dm.us-east-1.aliyuncs.com',
} as const;

export type AliyunRegionId = keyof typeof ALIYUN_DM_ENDPOINTS;

export const aliyunDmConfigSchema = z.strictObject({
  accessKeyId: z
    .string()
    .trim()
    .min(1)
    .max(128)
    .describe('The AccessKey ID of a RAM user allowed to send with DirectMail.'),
  accessKeySecret: secret(z.string().trim().min(1).describe('The AccessKey secret of that RAM user.')),
  regionId: destination(
    z
      .enum(Object.keys(ALIYUN_DM_ENDPOINTS) as [AliyunRegionId, ...AliyunRegionId[]])
      .default('cn-hangzhou')
      .describe('The DirectMail region where the sender address was created.'),
  ),
  accountName: fromEmail().describe(
    'The sender address, exactly as created under Sender Addresses in the DirectMail console.',
  ),
  fromAlias: z
    .string()
    .trim()
    .min(1)
    .max(15)
    .refine(isSingleLineText, SINGLE_LINE_MESSAGE)
    .optional()
    .describe('The sender name shown to recipients (at most 15 characters).'),
  replyToAddress: z
    .boolean()
    .default(false)
    .describe('Use the reply-to address configured for the sender address in the console.'),
  endpoint: destination(
    httpUrl()
      .optional()
      .describe(
        "Override the API address (a proxy, or a local peer in tests). Default: the region's, e.g. https://dm.aliyuncs.com",
      ),
  ),
});

export type AliyunDmConfig = z.output<typeof aliyunDmConfigSchema>;

export function aliyunDmEndpoint(config: Pick<AliyunDmConfig, 'regionId' | 'endpoint'>): string {
  return config.endpoint ?? ALIYUN_DM_ENDPOINTS[config.regionId];
}
