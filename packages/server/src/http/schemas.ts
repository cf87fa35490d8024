import { z } from 'zod';
import { isSingleLineText, SINGLE_LINE_MESSAGE } from '@postern/connector-kit';
import { LANGUAGE_TAG } from '../core/templates/locale.js';

/** The error body every API answers with (SPEC §2). */
export const ErrorBody = z
  .object({
    code: z.string().meta({ example: 'request.invalid' }),
    message: z.string(),
    details: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'Error' });

export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, ErrorBody])) as Record<number, typeof ErrorBody>;

export const PageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});

export const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

/**
 * A name people give something (a tenant, an organization, a user, an admin key): one line,
 * no control characters, since names reach mail headers and logs (`400 request.invalid`).
 */
export const NameText = (max = 200) => z.string().trim().min(1).max(max).refine(isSingleLineText, SINGLE_LINE_MESSAGE);

export const Id = z.string().min(1).max(100).regex(/^[A-Za-z0-9_.:-]+$/, 'must be an id');

/** 204 responses: the handler sends null and the body is empty. */
export const NoContent = z.null().meta({ description: 'No content' });
export const Locale = z.string().min(2).max(35).regex(LANGUAGE_TAG, 'must be a language tag such as en or pt-BR');
