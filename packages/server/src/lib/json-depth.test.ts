import { describe, expect, it } from 'vitest';
import { jsonTextDepth, jsonValueDepth, MAX_JSON_DEPTH } from './json-depth.js';

describe('JSON depth', () => {
  it('counts objects and arrays, not brackets inside strings', () => {
    expect(jsonTextDepth('1')).toBe(0);
    expect(jsonTextDepth('{"a":[1,{"b":{}}]}')).toBe(4);
    expect(jsonTextDepth('{"a":"[[[[{{{{\\"[[["}')).toBe(1);
    expect(jsonTextDepth('["\\\\", ["x"]]')).toBe(2);
    for (const v of [{ a: [1, { b: {} }] }, [[[]]], 'x', null, { a: '{{{{' }])
      expect(jsonValueDepth(v)).toBe(jsonTextDepth(JSON.stringify(v)));
  });

  it('stops just past the limit on a very deep document', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(jsonTextDepth(deep)).toBe(MAX_JSON_DEPTH + 1);
    let v: unknown = 1;
    for (let i = 0; i < 100_000; i++) v = { v };
    expect(jsonValueDepth(v)).toBe(MAX_JSON_DEPTH + 1);
  });
});
