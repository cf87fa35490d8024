import { describe, expect, it } from 'vitest';
import { formatDuration } from './duration.js';
import { defaultTemplate, sampleVariables, TemplateRenderer } from './index.js';

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
