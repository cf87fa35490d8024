import { z } from 'zod';
import { invalidDocument } from './errors.js';
import type { Clock, SettingsStore } from './ports.js';
import { mergePatch } from './connectors/service.js';
import { TtlCache } from '../lib/ttl-cache.js';

const httpsUrl = z.url({ protocol: /^https$/, error: 'must be an https:// URL' }).max(2000);

/** SPEC §5: the tenant's branding, used by templates and the built-in designs. */
export const BrandingSchema = z
  .strictObject({
    senderName: z.string().trim().max(100).regex(/^[^\r\n]*$/, 'must be one line').optional(),
    companyName: z.string().trim().max(200).optional(),
    companyInformation: z.string().trim().max(1000).optional(),
    logoUrl: httpsUrl.optional(),
    darkLogoUrl: httpsUrl.optional(),
    primaryColor: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #4f46e5').optional(),
    supportEmail: z.email().max(320).optional(),
  })
  .meta({ id: 'Branding' });
export type Branding = z.infer<typeof BrandingSchema>;

const KEY = 'branding';

export class BrandingService {
  private readonly cache: TtlCache<Branding>;

  constructor(
    private readonly settings: SettingsStore,
    private readonly clock: Clock,
    ttlMs = 2_000,
  ) {
    this.cache = new TtlCache(ttlMs);
  }

  async get(tenantId: string): Promise<Branding> {
    return this.cache.get(tenantId, async () => (await this.settings.get<Branding>(tenantId, KEY)) ?? {});
  }

  invalidate(tenantId: string): void {
    this.cache.delete(tenantId);
  }

  async patch(tenantId: string, patch: unknown): Promise<Branding> {
    const merged = mergePatch(await this.get(tenantId), patch);
    const r = BrandingSchema.safeParse(merged);
    if (!r.success) throw invalidDocument('branding', r.error);
    await this.settings.put(tenantId, KEY, r.data, this.clock.now().toISOString());
    this.cache.delete(tenantId);
    return r.data;
  }
}
