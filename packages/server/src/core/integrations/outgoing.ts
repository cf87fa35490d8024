import { TEMPLATE_TYPES, type TemplateType } from '@postern/connector-kit';

/** One message a hook asks Postern to render with its own template and send. */
export interface OutgoingMessage {
  to: string;
  templateType: TemplateType;
  locale?: string | undefined;
  variables: Record<string, unknown>;
}

/**
 * A template type that a later part of the SPEC adds (e.g. `EmailChanged`, §19), or the
 * given one while this build does not have it.
 */
export function typeOr(preferred: string, fallback: TemplateType): TemplateType {
  return (TEMPLATE_TYPES as readonly string[]).includes(preferred) ? (preferred as TemplateType) : fallback;
}

/** A locale tag as templates take it (`en`, `pt-BR`), or undefined. */
export function localeTag(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const t = v.trim().replace(/_/g, '-');
  return /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8}){0,4}$/.test(t) && t.length <= 35 ? t : undefined;
}

export const nonEmpty = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
