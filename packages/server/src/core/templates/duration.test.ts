import { describe, expect, it } from 'vitest';
import { formatDuration } from './duration.js';
import { defaultTemplate, sampleVariables, TemplateRenderer } from './index.js';
import { SHIPPED_LOCALES } from './defaults.js';

describe('expiry in words', () => {
  it('says minutes, whole hours from 2 hours and whole days from 2 days, in the language', () => {
    expect(formatDuration(10, 'en')).toBe('10 minutes');
    expect(formatDuration(1, 'en')).toBe('1 minute');
    expect(formatDuration(90, 'en')).toBe('90 minutes');
    expect(formatDuration(120, 'en')).toBe('2 hours');
    expect(formatDuration(1440, 'en')).toBe('24 hours');
    expect(formatDuration(10080, 'en')).toBe('7 days');
    expect(formatDuration(1440, 'de')).toBe('24 Stunden');
    expect(formatDuration(1440, 'th')).toBe('24 ชั่วโมง');
    expect(formatDuration(4320, 'pt-BR')).toBe('3 dias');
    expect(formatDuration(1440, 'not a locale!')).toBe('24 hours');
  });

  it('an invitation of a day reads "24 hours" in its language, never "1440 minutes"', () => {
    const renderer = new TemplateRenderer();
    const cases: Array<[string, string]> = [
      ['en', 'expires in 24 hours.'],
      ['de', 'läuft in 24 Stunden ab.'],
      ['th', 'หมดอายุใน 24 ชั่วโมง'],
      ['zh-CN', '将在24小时后失效'],
      ['fr', 'expire dans 24 heures.'],
    ];
    for (const [locale, phrase] of cases) {
      const out = renderer.render(defaultTemplate(locale, 'OrganizationInvitation')!, { ...sampleVariables('OrganizationInvitation', locale), expiresInMinutes: 1440, locale });
      // Intl separates number and unit with a no-break space in some languages (fr).
      const plain = (x: string) => x.replace(/[\u00a0\u202f]/g, ' ');
      expect(plain(out.text)).toContain(phrase);
      expect(plain(out.html)).toContain(phrase);
      expect(out.text).not.toContain('1440');
    }
  });

  it('cannot be set by a caller: it is derived from expiresInMinutes', () => {
    const renderer = new TemplateRenderer();
    const out = renderer.render({ subject: 's', html: '<p>{{expiresIn}}</p>', text: '{{expiresIn}}' }, { expiresIn: '<b>forever</b>', locale: 'en' } as never);
    expect(out.text.trim()).toBe('');
    expect(out.html).toBe('<p></p>');
  });
});

describe('the expiry of a code in the default templates', () => {
  const renderer = new TemplateRenderer();
  const render = (locale: string, type: 'SignIn' | 'Register' | 'MfaVerification', minutes: number | undefined) =>
    renderer.render(defaultTemplate(locale, type)!, { ...sampleVariables(type, locale), locale, ...(minutes === undefined ? { expiresInMinutes: undefined } : { expiresInMinutes: minutes }) });
  const plain = (x: string) => x.replace(/[\u00a0\u202f]/g, ' ');

  it('says "1 minute" and "10 minutes" in the plural form of every shipped language', () => {
    expect(render('en', 'SignIn', 1).text).toContain('This code expires in 1 minute.');
    expect(render('en', 'SignIn', 10).text).toContain('This code expires in 10 minutes.');
    expect(plain(render('de', 'Register', 1).text)).toContain('Dieser Code läuft in 1 Minute ab.');
    expect(plain(render('de', 'Register', 5).text)).toContain('Dieser Code läuft in 5 Minuten ab.');
    expect(plain(render('es', 'SignIn', 1).text)).toContain('Este código caduca en 1 minuto.');
    expect(plain(render('pt-BR', 'SignIn', 2).text)).toContain('Este código expira em 2 minutos.');
    expect(plain(render('fr', 'SignIn', 1).text)).toContain('Ce code expire dans 1 minute.');
    expect(plain(render('th', 'SignIn', 1).text)).toContain('รหัสนี้จะหมดอายุใน 1 นาที');
    expect(plain(render('ja', 'SignIn', 3).text)).toContain('このコードの有効期限は 3 分です。');
    expect(plain(render('zh-CN', 'SignIn', 3).text)).toContain('此验证码将在3分钟后失效。');
    for (const locale of SHIPPED_LOCALES) {
      const rules = new Intl.PluralRules(locale);
      for (const n of [1, 2, 10, 60]) {
        const out = render(locale, 'MfaVerification', n);
        const words = formatDuration(n, locale);
        expect(plain(out.text), `${locale} ${n}`).toContain(plain(words));
        expect(plain(out.html), `${locale} ${n}`).toContain(plain(words));
      }
      // Where the language has a singular (Intl.PluralRules "one" for 1, "other" for 2), the unit's word differs.
      if (rules.select(1) === 'one' && rules.select(2) === 'other') {
        expect(formatDuration(1, locale).replace('1', ''), locale).not.toBe(formatDuration(2, locale).replace('2', ''));
      }
    }
  });

  it('leaves the sentence out when a send has no expiry, rather than "expires in ."', () => {
    const out = render('en', 'SignIn', undefined);
    expect(out.text).not.toContain('expires in');
    expect(out.html).not.toContain('expires in');
    expect(out.text).toContain('Never share this code');
  });

  it('keeps {{expiresInMinutes}} working for custom templates', () => {
    const out = renderer.render({ subject: 's', html: '<p>{{expiresInMinutes}} / {{expiresIn}}</p>', text: '{{expiresInMinutes}} / {{expiresIn}}' }, { expiresInMinutes: 1, locale: 'en' });
    expect(out.text.trim()).toBe('1 / 1 minute');
  });
});
