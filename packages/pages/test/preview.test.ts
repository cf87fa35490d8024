import { describe, expect, it } from 'vitest';
import { parsePreview, PREVIEW_MESSAGE } from '../src/preview.js';
import { hostedPage } from '../src/route.js';

// The console's live preview of the sign-in page takes only checked values (preview.ts).
describe('branding preview messages', () => {
  const message = (branding: Record<string, unknown>, scheme?: unknown) => ({ type: PREVIEW_MESSAGE, branding, scheme });

  it('takes a name as text, an https logo, a #rrggbb colour and a scheme', () => {
    expect(parsePreview(message({ name: '  Globex  ', logoUrl: 'https://cdn.example.com/l.png', darkLogoUrl: null, primaryColor: '#0F766E' }, 'dark'))).toEqual({
      branding: { name: 'Globex', logoUrl: 'https://cdn.example.com/l.png', darkLogoUrl: null, primaryColor: '#0f766e' },
      scheme: 'dark',
    });
  });

  it('drops what is not one of those', () => {
    const p = parsePreview(message({ name: 'x'.repeat(500), logoUrl: 'javascript:alert(1)', darkLogoUrl: 'http://plain.example.com/l.png', primaryColor: 'red; background:url(x)' }, 'sepia'));
    expect(p).toEqual({ branding: { name: 'x'.repeat(200), logoUrl: null, darkLogoUrl: null, primaryColor: null }, scheme: null });
    expect(parsePreview(message({ name: 42, logoUrl: 'data:image/svg+xml,<svg/>', primaryColor: '#abc' }))?.branding).toEqual({ name: null, logoUrl: null, darkLogoUrl: null, primaryColor: null });
  });

  it('ignores messages that are not preview messages', () => {
    expect(parsePreview(null)).toBeNull();
    expect(parsePreview('postern.branding-preview')).toBeNull();
    expect(parsePreview({ type: 'other', branding: {} })).toBeNull();
    expect(parsePreview({ type: PREVIEW_MESSAGE })).toBeNull();
  });

  it('is a page of its own, for the default tenant and under /t/T, and only for sign-in', () => {
    expect(hostedPage('/preview/sign-in')).toEqual({ page: 'sign-in', tenantId: 'default', preview: true });
    expect(hostedPage('/t/acme/preview/sign-in')).toEqual({ page: 'sign-in', tenantId: 'acme', preview: true });
    expect(hostedPage('/sign-in')).toEqual({ page: 'sign-in', tenantId: 'default' });
    expect(hostedPage('/preview/register')).toBeNull();
  });
});
