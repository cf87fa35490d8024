/** Config fields that every HTTP-API email connector shares, so they read and validate alike. */
import { destination, isSingleLineText, secretPaths, secretValues, SINGLE_LINE_MESSAGE, TEMPLATE_TYPES, z } from '@postern/connector-kit';

export const fromEmail = () => z.email().describe('The sender address; its domain must be verified at the provider.');
export const fromName = () =>
  z
    .string()
    .trim()
    .min(1)
    .max(200)
    .refine(isSingleLineText, SINGLE_LINE_MESSAGE)
    .optional()
    .describe('The sender name shown to recipients.');
export const replyTo = () => z.email().optional().describe('Where replies go, when not to the sender.');

/**
 * An http(s) URL. Spaces and control characters are refused: the URL parser drops tabs and
 * line breaks silently, so the stored text and the address used would differ.
 */
export const httpUrl = (protocol: RegExp = /^https?$/, error = 'must be an http:// or https:// URL') =>
  z
    .string()
    .max(2000)
    // Checked before the URL check, which hands on the parsed (cleaned) form.
    .regex(/^[^\u0000-\u0020\u007f-\u009f\u2028\u2029]*$/, 'must not contain spaces or control characters')
    .url({ protocol, error });

/** An http(s) URL without a trailing path that matters: for proxies and local peers. A destination field. */
export const baseUrl = (real: string) =>
  destination(
    httpUrl().optional().describe(`Override the API address (a proxy, or a local peer in tests). Default: ${real}`),
  );

/** templateType → the provider's template id/name/alias; only the listed types use one. */
export const templateMap = (what: string) =>
  z
    .partialRecord(z.enum(TEMPLATE_TYPES), z.string().trim().min(1).max(200))
    .optional()
    .describe(`Template type → ${what}. Types not listed are sent as rendered by Postern.`);

/** The secret values of a parsed config, for scrubbing provider messages. */
export function configSecrets(schema: z.ZodType, config: unknown): string[] {
  return secretValues(config, secretPaths(schema));
}
