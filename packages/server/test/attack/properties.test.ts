import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { normalizeEmail } from '../../src/core/email-address.js';
import { TemplateRenderer } from '../../src/core/templates/index.js';

/** Property-based checks of the two parsers that stand between user input and mail. */
const RUNS = { numRuns: 500, seed: 20240601 };

const tryNormalize = (s: string) => {
  try {
    return normalizeEmail(s);
  } catch {
    return null;
  }
};

const atom = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,10}$/);
const localPart = fc.array(atom, { minLength: 1, maxLength: 3 }).map((a) => a.join('.'));
const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/);
const domain = fc.tuple(fc.array(label, { minLength: 1, maxLength: 3 }), fc.constantFrom('test', 'example', 'com', 'org')).map(([l, tld]) => [...l, tld].join('.'));
const validAddress = fc.tuple(localPart, domain).map(([l, d]) => `${l}@${d}`);
const anything = fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 80 }), validAddress);

describe('email normalisation', () => {
  it('accepts well-formed addresses and is idempotent', () => {
    fc.assert(
      fc.property(validAddress, fc.constantFrom('', ' ', '\t'), (a, pad) => {
        const once = normalizeEmail(`${pad}${a}${pad}`);
        const twice = normalizeEmail(once.address);
        expect(twice).toEqual(once);
      }),
      RUNS,
    );
  });

  it('is idempotent on whatever it accepts', () => {
    fc.assert(
      fc.property(anything, (s) => {
        const once = tryNormalize(s);
        if (once) expect(normalizeEmail(once.address)).toEqual(once);
      }),
      RUNS,
    );
  });

  it('never accepts CR, LF, control characters, quotes, comments, groups or a second address', () => {
    const bad = fc.constantFrom('\r', '\n', '\r\n', '\u0000', '\u0007', '\u001b', '\u007f', '\u0085', '\u2028', '"', '(', ')', '<', '>', ',', ';', ':', '\\', ' ');
    fc.assert(
      fc.property(localPart, domain, bad, fc.nat(40), (l, d, b, at) => {
        const a = `${l}@${d}`;
        const pos = Math.min(at, a.length - 1) + 1; // inside the trimmed address, never only at its ends
        const s = pos >= a.length ? `${a.slice(0, -1)}${b}${a.slice(-1)}` : `${a.slice(0, pos)}${b}${a.slice(pos)}`;
        expect(tryNormalize(s), JSON.stringify(s)).toBeNull();
      }),
      RUNS,
    );
    for (const s of ['"a@b"@c.test', '"john doe"@example.test', 'a(comment)@b.test', 'a@b.test (x)', 'group: a@b.test;', 'Name <a@b.test>', 'a@b.test,c@d.test', 'a@b.test\r\nBcc: x@evil.test', 'a@[127.0.0.1]', 'a@@b.test']) {
      expect(tryNormalize(s), s).toBeNull();
    }
  });

  it('accepted output carries no character an SMTP or header parser could split on', () => {
    fc.assert(
      fc.property(anything, (s) => {
        const r = tryNormalize(s);
        if (r) {
          expect(r.address).not.toMatch(/[\u0000-\u0020\u007f-\u009f"(),:;<>[\\\]\u2028\u2029]/);
          expect(r.address.split('@')).toHaveLength(2);
        }
      }),
      RUNS,
    );
  });

  it('the key ignores the case of the local part and of the domain; the address keeps the local part as given', () => {
    fc.assert(
      fc.property(localPart, domain, fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }), (l, d, flips) => {
        const mixed = [...`${l}@${d}`].map((c, i) => (flips[i % flips.length] ? c.toUpperCase() : c.toLowerCase())).join('');
        const a = normalizeEmail(`${l}@${d}`);
        const b = normalizeEmail(mixed);
        expect(b.key).toBe(a.key);
        expect(b.key).toBe(b.key.toLowerCase());
        expect(b.address.split('@')[0]).toBe(mixed.split('@')[0]);
        expect(b.address.split('@')[1]).toBe(d);
      }),
      RUNS,
    );
  });

  it('IDN domains come out as ASCII, and homoglyph domains do not collide with the Latin one', () => {
    const unicodeLabel = fc.array(fc.constantFrom('ä', 'ö', 'ü', 'é', 'ñ', 'ß', 'ж', 'д', 'ш', 'α', 'ω', '日', '本', 'a', 'b', 'x'), { minLength: 1, maxLength: 8 }).map((c) => c.join(''));
    fc.assert(
      fc.property(localPart, unicodeLabel, fc.constantFrom('test', 'com', 'рф'), (l, lab, tld) => {
        const r = tryNormalize(`${l}@${lab}.${tld}`);
        if (r) expect(r.address).toMatch(/^[\x21-\x7e]+$/);
      }),
      RUNS,
    );
    expect(normalizeEmail('user@BÜCHER.example').address).toBe('user@xn--bcher-kva.example');
    // Cyrillic "а" (U+0430) instead of Latin "a": a different domain, a different key.
    const latin = normalizeEmail('user@paypal.test');
    const homoglyph = normalizeEmail('user@p\u0430ypal.test');
    expect(homoglyph.address).toMatch(/^user@xn--/);
    expect(homoglyph.key).not.toBe(latin.key);
  });
});

describe('template rendering', () => {
  const renderer = new TemplateRenderer();
  const content = {
    subject: 'Your code for {{application.name}}: {{code}}',
    html: '<p>Hello {{user.name}} ({{user.email}}), from {{organization.name}} / {{inviter.name}}.</p><p>{{code}}</p>',
    text: 'Hello {{user.name}}, code {{code}}',
  };
  const hostile = fc.oneof(
    fc.string({ maxLength: 60 }),
    fc.constantFrom('{{code}}', '{{{code}}}', '{{> partial}}', '{{constructor.constructor}}', '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "'&<>\"`=", '{{#each this}}{{this}}{{/each}}', '\r\nBcc: x@evil.test', '${code}'),
    fc.string({ unit: 'binary', maxLength: 40 }),
  );
  const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;').replace(/`/g, '&#x60;').replace(/=/g, '&#x3D;');

  it('user-controlled values are HTML-escaped in html and never rendered again as a template', () => {
    fc.assert(
      fc.property(hostile, hostile, hostile, (name, org, inviter) => {
        const r = renderer.render(content, { code: '424242', user: { name, email: 'u@example.test' }, organization: { name: org }, inviter: { name: inviter }, application: { name: 'App' } });
        expect(r.html).not.toMatch(/<script|<img/i);
        // Exactly the one code occurrence of the template itself: a {{code}} inside a value stays literal.
        expect(r.html.split('424242')).toHaveLength(2);
        // The only markup is the template's own four tags: no value adds a tag or an attribute.
        expect(r.html.match(/[<>]/g)).toHaveLength(8);
        expect(r.html).not.toMatch(/"/);
        if (!/[\r\n]/.test(name) && name.trim() === name && name.length > 0 && !/[\u0000-\u001f\u007f-\u009f]/.test(name)) {
          expect(r.html).toContain(escapeHtml(name));
        }
      }),
      RUNS,
    );
  });

  it('rendered subjects never contain CR, LF or any other control character, whatever the variables, and always render', () => {
    fc.assert(
      fc.property(hostile, hostile, (appName, code) => {
        // Line breaks from variables fold into spaces, other controls are dropped: no throw, no 500.
        const r = renderer.render(content, { code, application: { name: appName } });
        expect(r.subject).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
      }),
      RUNS,
    );
  });
});
