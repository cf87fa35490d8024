import { destination, secret, z } from '@postern/connector-kit';
import { fromEmail, fromName, httpUrl, replyTo } from '../_provider/schema.js';

export const sesConfigSchema = z
  .strictObject({
    accessKeyId: z
      .string()
      .trim()
      .regex(/^[A-Z0-9]{16,128}$/, 'an access key id such as AKIA…')
      .optional()
      .describe(
        "The access key id of an IAM user or role allowed ses:SendEmail. Leave it and the secret out to use the server's own AWS identity, where the operator allows it (POSTERN_AWS_AMBIENT_TENANTS).",
      ),
    secretAccessKey: secret(
      z.string().trim().min(1).optional().describe('The secret access key that belongs to the access key id.'),
    ),
    region: destination(
      z
        .string()
        .trim()
        .regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, 'an AWS region such as us-east-1')
        .describe('The SES region where your identities are verified, e.g. us-east-1, eu-west-1.'),
    ),
    fromEmail: fromEmail(),
    fromName: fromName(),
    replyTo: replyTo(),
    configurationSetName: z
      .string()
      .trim()
      .min(1)
      .max(64)
      .optional()
      .describe('A configuration set for event publishing (optional).'),
    snsTopicArns: z
      .array(
        z
          .string()
          .trim()
          .regex(
            /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/,
            'an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:ses-events',
          ),
      )
      .max(20)
      .optional()
      .describe(
        'The SNS topics whose bounce, complaint and delivery notifications Postern trusts (required for events).',
      ),
    endpoint: destination(
      httpUrl()
        .optional()
        .describe(
          'Override the API address (a VPC endpoint, a proxy, a local peer). Default: https://email.<region>.amazonaws.com',
        ),
    ),
  })
  .superRefine((c, ctx) => {
    // Both keys, or neither (the server's own identity): one alone is a mistake.
    if (c.accessKeyId && !c.secretAccessKey)
      ctx.addIssue({ code: 'custom', path: ['secretAccessKey'], message: 'required with accessKeyId' });
    if (c.secretAccessKey && !c.accessKeyId)
      ctx.addIssue({ code: 'custom', path: ['accessKeyId'], message: 'required with secretAccessKey' });
  });

export type SesConfig = z.output<typeof sesConfigSchema>;

/** The SES v2 API address: `endpoint` when set, else the region's public endpoint. */
export function sesEndpoint(config: Pick<SesConfig, 'region' | 'endpoint'>): string {
  return config.endpoint ?? `https://email.${config.region}.amazonaws.com`;
}

/** Whether the config leaves the credentials to the AWS default provider chain. */
export function usesAmbientCredentials(config: Pick<SesConfig, 'accessKeyId' | 'secretAccessKey'>): boolean {
  return !config.accessKeyId && !config.secretAccessKey;
}
