import { describe, expect, it } from 'vitest';
import { LANGS, STRINGS, translate } from '../src/i18n.js';

// Issue 20: plural forms come from Intl.PluralRules ("1 minute", not "1 minutes").
describe('hosted page strings', () => {
  it('picks the plural form for the number, per language', () => {
    expect(translate('en', 'minutes', { n: 1 })).toBe('1 minute');
    expect(translate('en', 'minutes', { n: 2 })).toBe('2 minutes');
    expect(translate('en', 'seconds', { n: 1 })).toBe('1 second');
    expect(translate('en', 'seconds', { n: 0 })).toBe('0 seconds');
    expect(translate('th', 'minutes', { n: 1 })).toBe('1 นาที');
    expect(translate('th', 'minutes', { n: 5 })).toBe('5 นาที');
  });

  it('has every key in every language', () => {
    const keys = Object.keys(STRINGS.en).sort();
    for (const l of LANGS) expect(Object.keys(STRINGS[l]).sort()).toEqual(keys);
  });
});
