import { describe, it, expect } from 'vitest';
import { TemplateError, TemplateRenderer, type TemplateContent } from './index.js';
import { TEMPLATE_LIMITS } from './limits.js';

const renderer = new TemplateRenderer();

function errorOf(content: TemplateContent): TemplateError {
  try {
    new TemplateRenderer().validate(content);
  } catch (err) {
    expect(err).toBeInstanceOf(TemplateError);
    return err as TemplateError;
  }
  throw new Error('expected the template to be refused');
}

describe('escaping', () => {
  const hostile = '<script>alert(1)</script> {{code}}';
  const content = { subject: 'Hi {{user.name}}', html: '<p>Hi {{user.name}}, code {{code}}</p>', text: 'Hi {{user.name}}, code {{code}}' };

  it('escapes a hostile value in the html and never renders it as a template', () => {
    const out = renderer.render(content, { code: '123456', user: { name: hostile } });
    expect(out.html).toBe('<p>Hi &lt;script&gt;alert(1)&lt;/script&gt; {{code}}, code 123456</p>');
    expect(out.html).not.toContain('<script>');
  });

  it('keeps subject and text plain, still without re-rendering the value', () => {
    const out = renderer.render(content, { code: '123456', user: { name: hostile } });
    expect(out.subject).toBe(`Hi ${hostile}`);
    expect(out.text).toBe(`Hi ${hostile}, code 123456\n`);
  });

  it('escapes quotes so a value cannot leave an attribute', () => {
    const out = renderer.render({ subject: 's', html: '<a href="{{link}}" title="{{user.name}}">x</a>' }, { link: 'https://x.test/"onmouseover="alert(1)', user: { name: '" onclick="alert(1)' } });
    expect(out.html).not.toMatch(/"\s*on(click|mouseover)=/);
    expect(out.html).toContain('&quot;');
  });

  it('drops unsafe shapes and schemes from variables', () => {
    const html = '<img src="{{branding.logoUrl}}"><a href="{{link}}" style="color:{{branding.primaryColor}}">{{user.name}}</a>';
    const out = renderer.render({ subject: 's', html }, {
      link: 'javascript:alert(1)',
      branding: { logoUrl: 'data:image/svg+xml,<svg onload=alert(1)>', primaryColor: 'red;background:url(https://evil.test)' },
      user: { name: { toString: () => 'boom' } as unknown as string },
    });
    expect(out.html).toBe('<img src=""><a href="" style="color:"></a>');
  });

  it('does not reach prototype properties through variables', () => {
    const variables = JSON.parse('{"user":{"name":"A","__proto__":{"polluted":"yes"}}}');
    const out = renderer.render({ subject: 's', html: '{{user.name}}{{user.polluted}}' }, variables);
    expect(out.html).toBe('A');
  });
});

describe('the sandbox refuses', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['a helper call through constructor', '{{constructor.constructor "return process"}}', /Helpers cannot be called/],
    ['lookup of __proto__', '{{lookup this "__proto__"}}', /Helpers cannot be called/],
    ['a bare prototype path', 'x {{constructor}}', /not an allowed variable/],
    ['a nested prototype path', '{{#with user}}{{__proto__.polluted}}{{/with}}', /not an allowed variable/],
    ['@root prototype path', '{{@root.constructor}}', /not an allowed variable/],
    ['a partial', '{{> x}}', /Partials/],
    ['a partial block', '{{#> layout}}x{{/layout}}', /Partials/],
    ['triple-stash', '{{{code}}}', /Unescaped output/],
    ['ampersand unescape', '{{& code}}', /Unescaped output/],
    ['an unknown inline helper', '{{uppercase user.name}}', /Helpers cannot be called/],
    ['an unknown block helper', '{{#uppercase}}x{{/uppercase}}', /Unknown helper "uppercase"/],
    ['a block over a variable', '{{#user}}x{{/user}}', /Unknown helper "user"/],
    ['an inverse section', '{{^code}}none{{/code}}', /Unknown helper "code"/],
    ['a sub-expression', '{{#if (lookup user "name")}}x{{/if}}', /Only variables/],
    ['log', '{{log code}}', /Helpers cannot be called/],
    ['a removed helper as a variable', '{{lookup}}', /helper name/],
    ['a decorator', '{{* inline}}', /not allowed/],
    ['a literal mustache', '{{"code"}}', /Only variables/],
    ['an unknown data variable', '{{@partial-block}}', /not an allowed data variable/],
  ];
  for (const [name, html, reason] of cases) {
    it(name, () => {
      const err = errorOf({ subject: 'Subject', html });
      expect(err.code).toBe('template.invalid');
      expect(err.status).toBe(422);
      expect(err.details.field).toBe('html');
      expect(err.details.reason).toMatch(reason);
    });
  }

  it('allows if/unless/each/with, else chains, comments and @index', () => {
    const html = '{{!-- note --}}{{#if user.name}}{{user.name}}{{else if user.email}}{{user.email}}{{else}}friend{{/if}}{{#unless code}}-{{/unless}}{{#with user}}[{{email}}]{{/with}}{{#each user}}{{@key}}{{/each}}';
    const out = renderer.render({ subject: 's', html }, { user: { email: 'e@x.test' } });
    expect(out.html).toBe('e@x.test-[e@x.test]email');
  });
});

describe('subjects', () => {
  it('refuses CR or LF in the template', () => {
    for (const subject of ['Hello\nBcc: x@evil.test', 'Hello\rthere']) {
      const err = errorOf({ subject, html: '{{code}}' });
      expect(err.details).toMatchObject({ field: 'subject', line: 1, column: 6 });
    }
  });

  it('folds a line break that a variable brings into the result into a space', () => {
    const out = renderer.render({ subject: 'Hi {{user.name}}', html: '{{code}}' }, { user: { name: 'A\r\nBcc: x@evil.test\n\nend' } });
    expect(out.subject).toBe('Hi A Bcc: x@evil.test end');
  });

  it('strips NUL, ESC, DEL and C1 controls from variables in the subject, TAB becomes a space', () => {
    const out = renderer.render({ subject: '{{organization.name}} code', html: '{{code}}' }, { organization: { name: 'A\u0000c\u001b[31mme\u007f\u0085x\u009by\tz' } });
    expect(out.subject).toBe('Ac[31mme xy z code');
    expect(out.subject).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });

  it('refuses control characters written into the subject itself', () => {
    expect(errorOf({ subject: 'Hi\u0000there', html: 'x' }).details).toMatchObject({ field: 'subject', column: 3 });
    expect(errorOf({ subject: 'Hi\u001bthere', html: 'x' }).details).toMatchObject({ field: 'subject', column: 3 });
  });

  it('does not HTML-escape', () => {
    expect(renderer.render({ subject: '{{application.name}} & co', html: '' }, { application: { name: 'R&D <Lab>' } }).subject).toBe('R&D <Lab> & co');
  });
});

describe('compile errors', () => {
  it('gives the line and column of a grammar error', () => {
    const err = errorOf({ subject: 's', html: '<p>Hello</p>\n  {{user.name}\n' });
    expect(err.details).toMatchObject({ field: 'html', line: 2, column: 14 });
    expect(err.message).not.toContain('Expecting');
  });

  it('gives the position of a mismatched block', () => {
    const err = errorOf({ subject: 's', html: 'a\nb {{#if code}}x{{/fi}}' });
    expect(err.details).toMatchObject({ field: 'html', line: 2 });
    expect(err.details.column).toBeGreaterThan(1);
    expect(err.details.reason).toMatch(/doesn't match/);
  });

  it('gives the position of a refused construct', () => {
    const err = errorOf({ subject: 's', html: 'ok', text: 'line one\n  line two {{{code}}}' });
    expect(err.details).toEqual({ field: 'text', line: 2, column: 12, reason: expect.stringMatching(/Unescaped/) });
  });

  it('names an unterminated template', () => {
    const err = errorOf({ subject: 'Your {{code', html: 'x' });
    expect(err.details.field).toBe('subject');
    expect(err.details.reason).toMatch(/unfinished/);
  });
});

describe('text part', () => {
  it('is derived from the rendered html when the template has none', () => {
    const out = renderer.render({ subject: 's', html: '<h1>Sign in</h1><p>Your code is <b>{{code}}</b>.</p><img src="https://x.test/a.png" alt="logo">' }, { code: '987654' });
    expect(out.text).toContain('Sign in');
    expect(out.text).toContain('Your code is 987654.');
    expect(out.text).not.toContain('<');
    expect(out.text).not.toContain('a.png');
  });

  it('is derived afresh for each render', () => {
    const content = { subject: 's', html: '<p>{{code}}</p>' };
    expect(renderer.render(content, { code: '111111' }).text).toBe('111111\n');
    expect(renderer.render(content, { code: '222222' }).text).toBe('222222\n');
  });
});

describe('cache', () => {
  it('returns the same compiled template for the same content', () => {
    const r = new TemplateRenderer();
    const a = r.compile({ subject: 'S {{code}}', html: '<p>{{code}}</p>' });
    const b = r.compile({ subject: 'S {{code}}', html: '<p>{{code}}</p>' });
    const c = r.compile({ subject: 'S {{code}}', html: '<p>{{code}}</p>', text: '' });
    expect(b).toBe(a);
    expect(c).not.toBe(a);
  });

  it('reuses a frozen content by identity and evicts the least recently used', () => {
    const r = new TemplateRenderer({ cacheSize: 2 });
    const frozen = Object.freeze({ subject: 's', html: 'a' });
    const first = r.compile(frozen);
    expect(r.compile(frozen)).toBe(first);
    const x = r.compile({ subject: 's', html: 'x' });
    r.compile({ subject: 's', html: 'y' });
    r.compile({ subject: 's', html: 'z' });
    expect(r.compile({ subject: 's', html: 'x' })).not.toBe(x);
  });

  it('does not let a cached failure pass', () => {
    const r = new TemplateRenderer();
    expect(() => r.validate({ subject: 's', html: '{{{x}}}' })).toThrow(TemplateError);
    expect(() => r.validate({ subject: 's', html: '{{{x}}}' })).toThrow(TemplateError);
  });
});

describe('header overrides', () => {
  it('refuses a senderName or replyTo that could inject headers', () => {
    expect(errorOf({ subject: 's', html: 'h', senderName: 'Acme\r\nBcc: x@evil.test' }).details).toMatchObject({ field: 'senderName', column: 5 });
    expect(errorOf({ subject: 's', html: 'h', replyTo: 'a@x.test\nBcc: b@evil.test' }).details.field).toBe('replyTo');
    expect(errorOf({ subject: 's', html: 'h', replyTo: 'not an address' }).details.reason).toMatch(/email address/);
    expect(() => renderer.validate({ subject: 's', html: 'h', senderName: 'Acme Support', replyTo: 'help@acme.test' })).not.toThrow();
  });
});

describe('limits (templates that would hold the event loop)', () => {
  const L = TEMPLATE_LIMITS;

  it('refuses 20,000 nested {{#if}} (240 KB) before parsing', () => {
    const html = '{{#if code}}'.repeat(20_000) + 'x' + '{{/if}}'.repeat(20_000);
    expect(errorOf({ subject: 's', html }).details.reason).toMatch(/at most 131072/);
  });

  it('refuses nesting deeper than the limit at the block that goes too deep, even in a small template', () => {
    const html = '<p>\n' + '{{#if code}}'.repeat(L.maxDepth + 1) + 'x' + '{{/if}}'.repeat(L.maxDepth + 1);
    const err = errorOf({ subject: 's', html });
    expect(err.details).toMatchObject({ field: 'html', line: 2, column: 12 * L.maxDepth + 1 });
    expect(err.details.reason).toMatch(new RegExp(`nested more than ${L.maxDepth} deep`));
  });

  it('accepts nesting up to the limit', () => {
    const html = '{{#if code}}'.repeat(L.maxDepth) + '{{code}}' + '{{/if}}'.repeat(L.maxDepth);
    expect(new TemplateRenderer().render({ subject: 's', html }, { code: '1' }).html).toBe('1');
  });

  it('refuses 6,000 unclosed blocks (72 KB) by depth, and {{^…}} blocks count as well', () => {
    expect(errorOf({ subject: 's', html: '{{#if code}}'.repeat(6_000) }).details.reason).toMatch(/nested/);
    expect(errorOf({ subject: 's', html: '{{^if code}}'.repeat(100) }).details.reason).toMatch(/nested/);
  });

  it('counts tags over all parts together', () => {
    const half = '{{code}}'.repeat(L.maxTags / 2);
    expect(() => new TemplateRenderer().validate({ subject: 's', html: half, text: half })).not.toThrow();
    expect(errorOf({ subject: '{{code}}', html: half, text: half }).details).toMatchObject({ field: 'text' });
    expect(errorOf({ subject: '{{code}}', html: half, text: half }).details.reason).toMatch(new RegExp(`more than ${L.maxTags} `));
  });

  it('does not count comments as tags, and refuses an over-long tag', () => {
    const comments = '{{!-- }} a comment {{ --}}'.repeat(L.maxTags + 1);
    expect(() => new TemplateRenderer().validate({ subject: 's', html: comments })).not.toThrow();
    expect(errorOf({ subject: 's', html: `{{code${'.a'.repeat(200)}}}` }).details.reason).toMatch(new RegExp(`longer than ${L.maxTagChars} `));
    // Within the length, tags full of separators spend the token budget.
    const dotted = `{{user${'.a'.repeat(50)}}}`;
    expect(errorOf({ subject: 's', html: dotted.repeat(L.maxTags / 10) }).details.reason).toMatch(/too many or too long/);
  });

  it('counts each {{else if}} as one more level of nesting', () => {
    const chain = (n: number) => '{{#if link}}' + '{{else if code}}y'.repeat(n) + '{{/if}}';
    expect(() => new TemplateRenderer().validate({ subject: 's', html: chain(L.maxDepth - 1) + chain(L.maxDepth - 1) })).not.toThrow();
    expect(errorOf({ subject: 's', html: chain(L.maxDepth) }).details.reason).toMatch(/else if/);
  });

  it('refuses a part over the size limit and a subject over 998 characters', () => {
    expect(errorOf({ subject: 's', html: 'x'.repeat(L.maxPartChars + 1) }).details).toMatchObject({ field: 'html' });
    expect(errorOf({ subject: 'x'.repeat(999), html: 'x' }).details).toMatchObject({ field: 'subject' });
  });

  it('refuses nested {{#each}} whose repetitions would explode at render time', () => {
    // 10^5 repetitions of the body: refused at compile, not discovered at send.
    const html = '{{#each @root}}'.repeat(5) + '{{@key}}' + '{{/each}}'.repeat(5);
    expect(errorOf({ subject: 's', html }).details.reason).toMatch(/repetitions/);
    // One level is fine and renders every key.
    const out = new TemplateRenderer().render(
      { subject: 's', html: '{{#each user}}{{@key}}={{this}};{{/each}}' },
      { user: { id: 'u1', name: 'A' } },
    );
    expect(out.html).toBe('id=u1;name=A;');
  });

  it('cuts an over-long variable value', () => {
    const out = new TemplateRenderer().render(
      { subject: 's', html: '{{user.name}}' },
      { user: { name: 'n'.repeat(L.maxVariableChars + 500) } },
    );
    expect(out.html).toHaveLength(L.maxVariableChars);
  });

  it('derives a text part from deeply nested HTML without overflowing the stack', () => {
    const html = '<div>'.repeat(5_000) + '{{code}}' + '</div>'.repeat(5_000);
    expect(() => new TemplateRenderer().render({ subject: 's', html }, { code: '123456' })).not.toThrow();
  });
});
