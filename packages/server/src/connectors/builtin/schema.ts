import { isMultiLineText, isSingleLineText, MULTI_LINE_MESSAGE, SINGLE_LINE_MESSAGE, z } from '@postern/connector-kit';
import { httpUrl } from '../_provider/schema.js';

/** Branding only: the built-in service's sender, domain and content are fixed (SPEC §3.1). */
export const builtinConfigSchema = z.strictObject({
  senderName: z.string().trim().max(100).refine(isSingleLineText, SINGLE_LINE_MESSAGE).optional().describe('Name shown as the sender, e.g. "Acme".'),
  companyInformation: z.string().max(500).refine(isMultiLineText, MULTI_LINE_MESSAGE).optional().describe('A line of company details shown in the footer.'),
  logoUrl: httpUrl(/^https$/, 'must be an https:// URL').optional().describe('An https URL of your logo, shown at the top of each message.'),
});
export type BuiltinConfig = z.infer<typeof builtinConfigSchema>;
