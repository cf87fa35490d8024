import { describe, it, expect } from 'vitest';
import { findLocale, resolveLocale, SHIPPED_LOCALES } from './index.js';

const available = SHIPPED_LOCALES;

describe('resolveLocale', () => {
  it('takes the request locale first, case-insensitively, spelled as available', () => {
    expect(resolveLocale({ requested: 'th', acceptLanguage: 'ja', tenantDefault: 'de', available })).toBe('th');
    expect(resolveLocale({ requested: 'PT-br', available })).toBe('pt-BR');
    expect(resolveLocale({ requested: 'zh_cn', available })).toBe('zh-CN');
  });

  it('falls back from a region to its base language and from a base to a region', () => {
    expect(resolveLocale({ requested: 'fr-CA', available })).toBe('fr');
    expect(resolveLocale({ requested: 'pt-BR', available: ['en', 'pt'] })).toBe('pt');
    expect(resolveLocale({ requested: 'pt', available })).toBe('pt-BR');
    expect(resolveLocale({ requested: 'pt-PT', available })).toBe('pt-BR');
    expect(resolveLocale({ requested: 'zh', available })).toBe('zh-CN');
    expect(resolveLocale({ requested: 'th-TH', available })).toBe('th');
  });

  it('uses Accept-Language in order of preference when there is no request locale', () => {
    expect(resolveLocale({ acceptLanguage: 'ko;q=1, ja;q=0.8, de;q=0.9', tenantDefault: 'es', available })).toBe('de');
    expect(resolveLocale({ acceptLanguage: 'th-TH,th;q=0.9,en;q=0.8', available })).toBe('th');
    expect(resolveLocale({ acceptLanguage: 'zh-TW', tenantDefault: 'en', available })).toBe('zh-CN');
  });

  it('then the tenant default, then en', () => {
    expect(resolveLocale({ requested: 'ko', acceptLanguage: 'ru', tenantDefault: 'ja', available })).toBe('ja');
    expect(resolveLocale({ requested: 'ko', tenantDefault: 'de-AT', available })).toBe('de');
    expect(resolveLocale({ requested: 'ko', tenantDefault: 'ru', available })).toBe('en');
    expect(resolveLocale({ available })).toBe('en');
    expect(resolveLocale({ requested: 'ko', available: ['th', 'EN'] })).toBe('EN');
    expect(resolveLocale({ requested: 'ko', available: [] })).toBe('en');
  });

  it('ignores malformed input', () => {
    expect(resolveLocale({ requested: '../../etc', acceptLanguage: ';;,q=,*', tenantDefault: 'th', available })).toBe('th');
    expect(resolveLocale({ acceptLanguage: 'x'.repeat(100_000), available })).toBe('en');
  });

  it('findLocale walks the same chain but answers undefined where resolveLocale falls back to en', () => {
    expect(findLocale({ requested: 'pt-BR', available: ['pt'] })).toBe('pt');
    expect(findLocale({ requested: 'ko', tenantDefault: 'ja', available: ['fr', 'ja'] })).toBe('ja');
    expect(findLocale({ requested: 'ko', available: ['fr'] })).toBeUndefined();
    expect(findLocale({ requested: 'ko', available: ['fr', 'en'] })).toBe('en');
    expect(findLocale({ requested: 'ko', available: [] })).toBeUndefined();
  });
});
