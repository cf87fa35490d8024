import { useEffect, useState, useSyncExternalStore } from 'react';
import { tenantPrefix } from '@postern/client';
import { hostedPage } from './route.js';
import { applyTenantDefaultLang } from './i18n.js';
import { onPreviewChange, previewState } from './preview.js';

/** What the hosted pages wear (`GET /api/experience/branding`). */
export interface PageBranding {
  name: string;
  logoUrl: string | null;
  darkLogoUrl: string | null;
  primaryColor: string | null;
  /** The tenant's default language: the pages speak it when nothing the visitor sent names one they ship. */
  defaultLanguage?: string;
  /** Whether the browser's languages choose the pages' language (sign-in experience `languages.autoDetect`). */
  autoDetectLanguage?: boolean;
}

let loading: Promise<PageBranding | null> | undefined;

/** The tenant's branding, fetched once per page load; null when it cannot be read (the pages stay plain). */
export function loadBranding(): Promise<PageBranding | null> {
  loading ??= (async () => {
    const tenantId = hostedPage(window.location.pathname)?.tenantId ?? 'default';
    try {
      const res = await fetch(`${tenantPrefix(tenantId)}/api/experience/branding`, { headers: { accept: 'application/json' } });
      if (!res.ok) return null;
      const b = (await res.json()) as PageBranding;
      applyTenantDefaultLang(b.defaultLanguage, b.autoDetectLanguage ?? true);
      return b;
    } catch {
      return null;
    }
  })();
  return loading;
}

/** The tenant's branding; on the console's preview (preview.ts), the unsaved values it was sent. */
export function useBranding(): PageBranding | null {
  const [b, setB] = useState<PageBranding | null>(null);
  const preview = useSyncExternalStore(onPreviewChange, previewState);
  useEffect(() => {
    let live = true;
    void loadBranding().then((v) => live && setB(v));
    return () => {
      live = false;
    };
  }, []);
  if (!preview) return b;
  // A name left empty falls back as the server's does, to the saved name (company, sender, tenant).
  return { ...preview.branding, name: preview.branding.name ?? b?.name ?? '' };
}

const channels = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
const toHex = (c: number[]) => '#' + c.map((v) => Math.round(Math.max(0, Math.min(255, v))).toString(16).padStart(2, '0')).join('');

/** WCAG relative luminance of `#rrggbb`. */
export function luminance(hex: string): number {
  const [r, g, b] = channels(hex).map((v) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

export function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x! + 0.05) / (y! + 0.05);
}

function mix(hex: string, toward: string, amount: number): string {
  const a = channels(hex);
  const b = channels(toward);
  return toHex(a.map((v, i) => v + (b[i]! - v) * amount));
}

/**
 * The brand colour for each scheme, made readable: on the light card (white) it is darkened
 * and on the dark card (#181c26) lightened until links reach 4.5:1; the button text is white or
 * near-black, whichever reads better on it.
 */
export function brandColours(primary: string): { light: string; lightText: string; dark: string; darkText: string } {
  let light = primary;
  for (let i = 0; i < 10 && contrast(light, '#ffffff') < 4.5; i++) light = mix(light, '#000000', 0.15);
  let dark = primary;
  for (let i = 0; i < 10 && contrast(dark, '#181c26') < 4.5; i++) dark = mix(dark, '#ffffff', 0.15);
  const textOn = (bg: string) => (contrast(bg, '#ffffff') >= contrast(bg, '#10131b') ? '#ffffff' : '#10131b');
  return { light, lightText: textOn(light), dark, darkText: textOn(dark) };
}
