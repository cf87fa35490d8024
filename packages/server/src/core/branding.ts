import { z } from 'zod';
import { isMultiLineText, isSingleLineText, MULTI_LINE_MESSAGE, SINGLE_LINE_MESSAGE } from '@postern/connector-kit';
import { invalidDocument } from './errors.js';
import type { Clock, SettingsStore } from './ports.js';
import { SettingsDocument } from './settings/document.js';

const httpsUrl = z.url({ protocol: /^https$/, error: 'must be an https:// URL' }).max(2000);

/** SPEC §5: the tenant's branding, used by templates and the built-in designs. */
export const BrandingSchema = z
  .strictObject({
    senderName: z.string().trim().max(100).refine(isSingleLineText, SINGLE_LINE_MESSAGE).optional(),
    companyName: z.string().trim().max(200).refine(isSingleLineText, SINGLE_LINE_MESSAGE).optional(),
    companyInformation: z.string().trim().max(1000).refine(isMultiLineText, MULTI_LINE_MESSAGE).optional(),
    logoUrl: httpsUrl.optional(),
    darkLogoUrl: httpsUrl.optional(),
    primaryColor: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #4f46e5').optional(),
    supportEmail: z.email().max(320).optional(),
  })
  .meta({ id: 'Branding' });
export type Branding = z.infer<typeof BrandingSchema>;

const KEY = 'branding';

export class BrandingService {
  private readonly doc: SettingsDocument<Branding>;

  constructor(settings: SettingsStore, clock: Clock, ttlMs = 2_000) {
    this.doc = new SettingsDocument<Branding>(settings, clock, KEY, (stored) => stored ?? {}, ttlMs);
  }

  get(tenantId: string): Promise<Branding> {
    return this.doc.get(tenantId);
  }

  invalidate(tenantId: string): void {
    this.doc.invalidate(tenantId);
  }

  patch(tenantId: string, patch: unknown): Promise<Branding> {
    return this.doc.patch(tenantId, patch, (merged) => {
      const r = BrandingSchema.safeParse(merged);
      if (!r.success) throw invalidDocument('branding', r.error);
      return r.data;
    });
  }
}
