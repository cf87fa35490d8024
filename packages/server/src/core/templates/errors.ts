import type { TemplateField } from './types.js';

export interface TemplateErrorDetails {
  /** `senderName`/`replyTo` only for a header override that is not a single clean line. */
  field: TemplateField | 'senderName' | 'replyTo';
  /** 1-based line in the field's template source. */
  line: number;
  /** 1-based column in that line. */
  column: number;
  reason: string;
}

/**
 * A template that cannot be used: it does not compile, uses something the sandbox refuses
 * (partials, triple-stash, unknown helpers, prototype paths), or yields a subject with a
 * line break. Answered as `422 template.invalid` (SPEC §5).
 */
export class TemplateError extends Error {
  readonly code = 'template.invalid' as const;
  readonly status = 422 as const;
  readonly details: TemplateErrorDetails;

  constructor(details: TemplateErrorDetails, options?: { cause?: unknown }) {
    super(`The ${details.field} template is invalid at line ${details.line}, column ${details.column}: ${details.reason}`, options);
    this.name = 'TemplateError';
    this.details = details;
  }
}

export function isTemplateError(err: unknown): err is TemplateError {
  return err instanceof TemplateError;
}
