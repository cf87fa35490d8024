/**
 * The console's live preview of the sign-in page (Branding → "Hosted sign-in page"): the
 * page at `/preview/sign-in`, framed by the console, wears the branding the admin is typing
 * before it is saved.
 *
 * Why this cannot restyle a real sign-in page for phishing: only the preview page listens
 * (never /sign-in), the server lets only Postern's own origin frame it (CSP frame-ancestors
 * 'self'), a message counts only when it comes from the parent frame and from this origin,
 * every value is checked (text, an https: image, a #rrggbb colour), React renders the name
 * as text, the card is inert (nothing can be typed or sent) and the page says it is a preview.
 */
import { useSyncExternalStore } from 'react';
import type { PageBranding } from './branding.js';

export const PREVIEW_MESSAGE = 'postern.branding-preview';
export const PREVIEW_READY = 'postern.preview-ready';

export type PreviewScheme = 'light' | 'dark';

export interface PreviewState {
  branding: Pick<PageBranding, 'logoUrl' | 'darkLogoUrl' | 'primaryColor'> & { name: string | null };
  /** A scheme to show regardless of the system's, or null to follow it. */
  scheme: PreviewScheme | null;
}

const HEX = /^#[0-9a-fA-F]{6}$/;

function text(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, 200) : null;
}

function image(v: unknown): string | null {
  if (typeof v !== 'string' || v.length > 2000) return null;
  try {
    return new URL(v).protocol === 'https:' ? v : null;
  } catch {
    return null;
  }
}

/** The preview values in a message's data, or null when it is not a well-formed preview message. */
export function parsePreview(data: unknown): PreviewState | null {
  if (!data || typeof data !== 'object') return null;
  const d = data as Record<string, unknown>;
  if (d.type !== PREVIEW_MESSAGE || !d.branding || typeof d.branding !== 'object') return null;
  const b = d.branding as Record<string, unknown>;
  const colour = typeof b.primaryColor === 'string' && HEX.test(b.primaryColor) ? b.primaryColor.toLowerCase() : null;
  return {
    branding: { name: text(b.name), logoUrl: image(b.logoUrl), darkLogoUrl: image(b.darkLogoUrl), primaryColor: colour },
    scheme: d.scheme === 'light' || d.scheme === 'dark' ? d.scheme : null,
  };
}

let active = false;
let state: PreviewState | null = null;
const listeners = new Set<() => void>();

/** Whether this is the preview page (marked, inert), framed or not. */
export function isPreview(): boolean {
  return active;
}

export function previewState(): PreviewState | null {
  return state;
}

export function onPreviewChange(f: () => void): () => void {
  listeners.add(f);
  return () => listeners.delete(f);
}

/** The scheme the preview was asked to show, or null (the system's, and every real page). */
export function usePreviewScheme(): PreviewScheme | null {
  return useSyncExternalStore(onPreviewChange, () => state?.scheme ?? null);
}

/**
 * Starts listening for the console's messages; call only on the preview page. Asks the
 * parent for the current values once listening, so that none typed before the load is lost.
 */
export function startPreview(): void {
  active = true;
  if (window.parent === window) return; // opened on its own: nothing may dress it
  window.addEventListener('message', (e: MessageEvent) => {
    if (e.source !== window.parent || e.origin !== window.location.origin) return;
    const next = parsePreview(e.data);
    if (!next) return;
    state = next;
    applyScheme(next.scheme);
    for (const f of listeners) f();
  });
  window.parent.postMessage({ type: PREVIEW_READY }, window.location.origin);
}

const DARK_QUERY = /\(\s*prefers-color-scheme\s*:\s*dark\s*\)/gi;
const originals = new WeakMap<CSSMediaRule, string>();

/**
 * Shows the page in `scheme` whatever the system's, or follows the system again (null). A
 * framed page's prefers-color-scheme is its browser's, not its frame's, so the preview turns
 * the stylesheets' own dark-mode rules on or off (this page's stylesheets are same-origin).
 */
function applyScheme(scheme: PreviewScheme | null): void {
  for (const sheet of Array.from(document.styleSheets)) {
    let rules: CSSRuleList;
    try {
      rules = sheet.cssRules;
    } catch {
      continue; // another origin's sheet (a CAPTCHA widget's): not ours to change
    }
    for (const rule of Array.from(rules)) {
      if (!(rule instanceof CSSMediaRule)) continue;
      const original = originals.get(rule) ?? rule.media.mediaText;
      if (!original.match(DARK_QUERY)) continue;
      originals.set(rule, original);
      rule.media.mediaText = scheme === null ? original : original.replace(DARK_QUERY, scheme === 'dark' ? '(min-width: 0px)' : '(max-width: 0px)');
    }
  }
}
