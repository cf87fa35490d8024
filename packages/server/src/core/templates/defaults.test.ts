import { describe, it, expect } from 'vitest';
import { isNoticeTemplateType, TEMPLATE_TYPES } from '@postern/connector-kit';
import { defaultTemplate, lintTemplate, renderBuiltin, sampleVariables, SHIPPED_LOCALES, TemplateRenderer } from './index.js';

const renderer = new TemplateRenderer();

describe('shipped templates', () => {
  it('ship in the eight languages', () => {
    expect(SHIPPED_LOCALES).toEqual(['en', 'th', 'zh-CN', 'ja', 'es', 'fr', 'de', 'pt-BR']);
  });

  for (const locale of SHIPPED_LOCALES) {
    for (const type of TEMPLATE_TYPES) {
      it(`${type} in ${locale} renders the essentials with no warnings`, () => {
        const content = defaultTemplate(locale, type);
        expect(content).toBeDefined();
        const variables = { ...sampleVariables(type, locale), code: '730519', expiresInMinutes: 17 };
        const out = renderer.render(content!, variables);
        const notice = isNoticeTemplateType(type);
        const must = notice
          ? [variables.activity!.ip!, variables.activity!.device!, type === 'EmailChanged' ? variables.activity!.newEmail! : variables.activity!.ip!]
          : type === 'OrganizationInvitation'
            ? [variables.link!, variables.organization!.name!, variables.inviter!.name!]
            : ['730519'];
        for (const value of [...must, ...(notice ? [] : ['17']), variables.branding!.companyName!]) {
          expect(out.html).toContain(value);
          expect(out.text).toContain(value);
        }
        if (notice) {
          // A notice carries no code, and says when it happened in the message's language.
          expect(out.text).not.toContain('730519');
          expect(out.text).toMatch(/2026|2569/); // Thai counts years in the Buddhist era
        } else if (type !== 'OrganizationInvitation') {
          // The code stands on its own line in the text part.
          expect(out.text.split('\n')).toContain('730519');
          expect(out.html).toMatch(/user-select:all;">730519</);
        } else {
          expect(out.html).toContain(`href="${variables.link}"`);
        }
        expect(out.html).toContain(`<html lang="${locale}"`);
        expect(out.subject).not.toMatch(/[{}]/);
        expect(out.subject.length).toBeGreaterThan(5);
        for (const part of [out.html, out.text]) {
          // Every placeholder of the string tables was expanded.
          expect(part).not.toMatch(/\{[a-z]+\}|\{\{/);
        }
        expect(out.html).not.toMatch(/<script|@import|https?:\/\/fonts\./i);
        expect(lintTemplate(type, content!, out)).toEqual([]);
      });
    }
  }

  for (const locale of SHIPPED_LOCALES) {
    for (const type of ['SignIn', 'Register'] as const) {
      it(`${type} in ${locale} shows a magic link above the code when there is one`, () => {
        const link = 'https://auth.example.test/magic-link/0190abcd.mac';
        const content = defaultTemplate(locale, type)!;
        const out = renderer.render(content, { ...sampleVariables(type, locale), code: '730519', expiresInMinutes: 17, link });
        expect(out.html).toContain(`href="${link}"`);
        expect(out.text.split('\n')).toContain(link);
        // The code stays, as the fallback, on its own line.
        expect(out.text.split('\n')).toContain('730519');
        expect(out.text.indexOf(link)).toBeLessThan(out.text.indexOf('730519'));
        expect(lintTemplate(type, content, out)).toEqual([]);
        const plain = renderer.render(content, { ...sampleVariables(type, locale), code: '730519', expiresInMinutes: 17 });
        expect(plain.html).not.toContain('magic-link');
        expect(plain.html).not.toContain('href=""');
      });
    }
  }

  it('are translated, not copies of English', () => {
    for (const locale of SHIPPED_LOCALES.filter((l) => l !== 'en')) {
      for (const type of TEMPLATE_TYPES) {
        expect(defaultTemplate(locale, type)!.subject).not.toBe(defaultTemplate('en', type)!.subject);
        expect(defaultTemplate(locale, type)!.text).not.toBe(defaultTemplate('en', type)!.text);
      }
    }
  });

  it('greet by name when there is one, and read well without optional variables', () => {
    const named = renderer.render(defaultTemplate('en', 'SignIn')!, { code: '1', user: { name: 'Kim' }, application: { name: 'App' } });
    expect(named.text.startsWith('Hi Kim,')).toBe(true);
    const bare = renderer.render(defaultTemplate('en', 'OrganizationInvitation')!, { link: 'https://x.test/i', organization: { name: 'Org' }, application: { name: 'App' } });
    expect(bare.subject).toBe("You're invited to join Org on App");
    expect(bare.text.startsWith('Hello,')).toBe(true);
    expect(bare.html).not.toContain('mailto:');
  });

  it('use the branding: logo, dark logo, colour, support address', () => {
    const out = renderer.render(defaultTemplate('th', 'Register')!, {
      code: '1',
      branding: { logoUrl: 'https://cdn.x.test/logo.png', darkLogoUrl: 'https://cdn.x.test/dark.png', primaryColor: '#0a7d44', supportEmail: 'help@x.test', companyName: 'X' },
    });
    expect(out.html).toContain('src="https://cdn.x.test/logo.png"');
    expect(out.html).toContain('src="https://cdn.x.test/dark.png"');
    expect(out.html).toContain('#0a7d44');
    expect(out.html).not.toContain('#2563eb');
    expect(out.html).toContain('href="mailto:help@x.test"');
  });

  it('are looked up by exact locale only', () => {
    expect(defaultTemplate('pt-br', 'SignIn')).toBe(defaultTemplate('pt-BR', 'SignIn'));
    expect(defaultTemplate('pt', 'SignIn')).toBeUndefined();
    expect(defaultTemplate('ko', 'SignIn')).toBeUndefined();
  });
});

describe('renderBuiltin', () => {
  it('uses only the built-in branding fields', () => {
    const out = renderBuiltin('SignIn', 'de', {
      code: '555000',
      application: { name: 'Shop' },
      branding: { senderName: 'Shop Team', companyInformation: 'Shop GmbH, Berlin', logoUrl: 'https://cdn.x.test/l.png', companyName: 'Ignored Co', primaryColor: '#ff0000', supportEmail: 'ignored@x.test' },
    });
    expect(out.html).toContain('555000');
    expect(out.html).toContain('Shop GmbH, Berlin');
    expect(out.html).toContain('https://cdn.x.test/l.png');
    expect(out.html).toContain('Diese E-Mail wurde von Shop Team gesendet.');
    for (const ignored of ['Ignored Co', '#ff0000', 'ignored@x.test']) expect(out.html).not.toContain(ignored);
  });

  it('falls back to the nearest shipped language', () => {
    expect(renderBuiltin('Generic', 'pt', { code: '1' }).subject).toMatch(/código/);
    expect(renderBuiltin('Generic', 'ko-KR', { code: '1' }).subject).toMatch(/verification code/);
  });
});

describe('sampleVariables', () => {
  it('gives a code, an https link and names in the language', () => {
    const v = sampleVariables('OrganizationInvitation', 'ja');
    expect(v.code).toMatch(/^\d{6}$/);
    expect(v.link).toMatch(/^https:\/\//);
    expect(v.user?.name).toBe('山田 太郎');
    expect(v.inviter?.name).toBeTruthy();
    expect(v.organization?.name).toBeTruthy();
    expect(sampleVariables('SignIn', 'xx').user?.name).toBe('Alex Morgan');
  });
});
