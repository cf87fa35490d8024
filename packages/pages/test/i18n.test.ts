import { describe, expect, it } from 'vitest';
import { chooseLang, detectLang, LANG_NAMES, LANGS, matchLang, STRINGS, translate } from '../src/i18n.js';
import { waitText } from '../src/errors.js';
import { SHIPPED_LOCALES } from '../../server/src/core/templates/defaults.js';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

// Issue 20: the pages speak every language the emails ship in, with plural forms from Intl.PluralRules.
describe('hosted page strings', () => {
  it('speaks exactly the languages the default email templates ship in', () => {
    expect([...LANGS]).toEqual([...SHIPPED_LOCALES]);
    for (const l of LANGS) expect(LANG_NAMES[l].trim()).not.toBe('');
  });

  it('has every key in every language, none empty, with the same placeholders as English', () => {
    const keys = Object.keys(STRINGS.en).sort();
    for (const l of LANGS) {
      const dict = STRINGS[l] as Record<string, string>;
      expect(Object.keys(dict).sort(), l).toEqual(keys);
      for (const k of keys) {
        expect(dict[k]!.trim(), `${l} ${k}`).not.toBe('');
        expect(placeholders(dict[k]!), `${l} ${k}`).toEqual(placeholders((STRINGS.en as Record<string, string>)[k]!));
      }
    }
  });

  it('picks the plural form for the number, per language', () => {
    expect(translate('en', 'minutes', { n: 1 })).toBe('1 minute');
    expect(translate('en', 'minutes', { n: 2 })).toBe('2 minutes');
    expect(translate('en', 'seconds', { n: 1 })).toBe('1 second');
    expect(translate('en', 'seconds', { n: 0 })).toBe('0 seconds');
    expect(translate('th', 'minutes', { n: 1 })).toBe('1 นาที');
    expect(translate('th', 'minutes', { n: 5 })).toBe('5 นาที');
    expect(translate('de', 'minutes', { n: 1 })).toBe('1 Minute');
    expect(translate('de', 'minutes', { n: 2 })).toBe('2 Minuten');
    // French counts 0 and 1 as singular.
    expect(translate('fr', 'seconds', { n: 0 })).toBe('0 seconde');
    expect(translate('fr', 'seconds', { n: 2 })).toBe('2 secondes');
    expect(translate('es', 'minutes', { n: 1 })).toBe('1 minuto');
    expect(translate('pt-BR', 'minutes', { n: 3 })).toBe('3 minutos');
    expect(translate('ja', 'minutes', { n: 1 })).toBe('1 分');
    expect(translate('zh-CN', 'minutes', { n: 2 })).toBe('2 分钟');
    expect(translate('en', 'verification_code.mismatch', { n: 1 })).toBe('That code is not right. 1 try left.');
    expect(translate('en', 'verification_code.mismatch', { n: 4 })).toBe('That code is not right. 4 tries left.');
    expect(translate('de', 'verification_code.mismatch', { n: 1 })).toBe('Dieser Code stimmt nicht. Noch 1 Versuch.');
  });

  it('says a countdown in words of the language: seconds, then whole minutes from two minutes', () => {
    const t = (lang: (typeof LANGS)[number]) => (key: Parameters<typeof translate>[1], vars?: Record<string, string | number>) => translate(lang, key, vars);
    expect(translate('en', 'resendIn', { wait: waitText(t('en'), 1) })).toBe('You can ask for a new code in 1 second.');
    expect(translate('en', 'resendIn', { wait: waitText(t('en'), 59) })).toBe('You can ask for a new code in 59 seconds.');
    expect(waitText(t('en'), 120)).toBe('2 minutes');
    expect(waitText(t('es'), 61)).toBe('61 segundos');
    expect(translate('th', 'resendIn', { wait: waitText(t('th'), 3) })).toBe('ขอรหัสใหม่ได้ในอีก 3 วินาที');
  });

  it('matches a language tag to a page language: exact, then the base language', () => {
    expect(matchLang('th-TH')).toBe('th');
    expect(matchLang('PT-br')).toBe('pt-BR');
    expect(matchLang('pt-PT')).toBe('pt-BR');
    expect(matchLang('zh')).toBe('zh-CN');
    expect(matchLang('zh-Hans-SG')).toBe('zh-CN');
    expect(matchLang('zh-TW')).toBeNull();
    expect(matchLang('zh-Hant')).toBeNull();
    expect(matchLang('de_AT')).toBe('de');
    expect(matchLang('ko')).toBeNull();
    expect(matchLang('not a tag')).toBeNull();
    expect(detectLang(['ko-KR', 'ja-JP', 'en'])).toBe('ja');
    expect(detectLang([])).toBe('en');
  });

  it('chooses ?lang=, then ui_locales, then the picker\'s last choice, then the browser', () => {
    expect(chooseLang('?lang=de&ui_locales=th', 'fr', ['ja'])).toBe('de');
    expect(chooseLang('?ui_locales=ko%20th-TH%20en', 'fr', ['ja'])).toBe('th');
    expect(chooseLang('?lang=xx&ui_locales=es', null, ['ja'])).toBe('es');
    expect(chooseLang('', 'fr', ['ja'])).toBe('fr');
    expect(chooseLang('', 'garbage', ['ja-JP'])).toBe('ja');
    expect(chooseLang('', null, ['ko'])).toBe('en');
    // The tenant's default language comes last, before English, and only when the pages ship it.
    expect(chooseLang('', null, ['ko-KR'], 'th')).toBe('th');
    expect(chooseLang('', null, ['ko-KR'], 'pt')).toBe('pt-BR');
    expect(chooseLang('', null, ['ko-KR'], 'ko')).toBe('en');
    expect(chooseLang('', null, ['ja-JP'], 'th')).toBe('ja');
    expect(chooseLang('', 'fr', ['ko'], 'th')).toBe('fr');
    expect(chooseLang('?lang=de', null, ['ko'], 'th')).toBe('de');
    // With the tenant's autoDetect off, the browser is not asked; what the visitor named still wins.
    expect(chooseLang('', null, ['ja-JP'], 'th', false)).toBe('th');
    expect(chooseLang('?lang=de', null, ['ja-JP'], 'th', false)).toBe('de');
    expect(chooseLang('', 'fr', ['ja-JP'], 'th', false)).toBe('fr');
    expect(chooseLang('', null, ['ja-JP'], 'ko', false)).toBe('en');
  });
});
