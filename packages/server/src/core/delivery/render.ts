import type { TemplateType } from '@postern/connector-kit';

export interface RenderRequest {
  tenantId: string;
  templateType: TemplateType;
  /** The request's `locale` field. */
  locale?: string | undefined;
  acceptLanguage?: string | undefined;
  variables: Record<string, unknown>;
  /** False for connectors (the built-in service) that use only the shipped designs. */
  customTemplates: boolean;
  /** Branding fields from the built-in connector's config. */
  connectorBranding?: Record<string, unknown> | undefined;
}

export interface RenderedMessage {
  locale: string;
  subject: string;
  html: string;
  text: string;
  replyTo?: string | undefined;
  senderName?: string | undefined;
  variables: Record<string, unknown>;
}

/** Turns a template type, locale and variables into a finished message. */
export interface MessageRenderer {
  render(req: RenderRequest): Promise<RenderedMessage>;
}
