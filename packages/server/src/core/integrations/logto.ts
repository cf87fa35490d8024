import { z } from 'zod';
import { TEMPLATE_TYPES, type TemplateType } from '@postern/connector-kit';
import { localeTag, nonEmpty, type OutgoingMessage } from './outgoing.js';

const Person = z
  .looseObject({
    id: z.string().optional(),
    name: z.string().nullable().optional(),
    primaryEmail: z.string().nullable().optional(),
  })
  .optional();

/** The body of Logto's HTTP email connector (`@logto/connector-http-email`). */
export const LogtoPayload = z.looseObject({
  to: z.string().min(1).max(320),
  type: z.string().min(1).max(100),
  payload: z.looseObject({
    code: z.string().max(100).optional(),
    link: z.string().max(4000).optional(),
    locale: z.string().optional(),
    uiLocales: z.string().optional(),
    user: Person,
    inviter: Person,
    application: z.looseObject({ id: z.string().optional(), name: z.string().optional() }).optional(),
    organization: z.looseObject({ id: z.string().optional(), name: z.string().optional() }).optional(),
  }),
  ip: z.string().optional(),
});
export type LogtoPayload = z.infer<typeof LogtoPayload>;

/** Logto's template types carry Postern's names; `Test` and unknown ones are `Generic`. */
export function logtoMessage(p: LogtoPayload): OutgoingMessage {
  const templateType: TemplateType = (TEMPLATE_TYPES as readonly string[]).includes(p.type)
    ? (p.type as TemplateType)
    : 'Generic';
  const pl = p.payload;
  const locale = localeTag(pl.locale) ?? localeTag(pl.uiLocales?.split(/\s+/)[0]);
  const variables: Record<string, unknown> = {};
  if (nonEmpty(pl.code)) variables.code = pl.code;
  if (nonEmpty(pl.link)) variables.link = pl.link;
  if (pl.application?.name) variables.application = { id: pl.application.id, name: pl.application.name };
  if (pl.organization?.name) variables.organization = { id: pl.organization.id, name: pl.organization.name };
  if (pl.user)
    variables.user = { id: pl.user.id, name: pl.user.name ?? undefined, email: pl.user.primaryEmail ?? undefined };
  if (pl.inviter)
    variables.inviter = { name: pl.inviter.name ?? undefined, email: pl.inviter.primaryEmail ?? undefined };
  return { to: p.to, templateType, locale, variables };
}
