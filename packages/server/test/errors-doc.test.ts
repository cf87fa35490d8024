import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS } from '../src/core/errors.js';

describe('the error catalogue', () => {
  it('equals docs/errors.md, code for code and status for status', () => {
    const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
    const rows = [...doc.matchAll(/^\| `([a-z_]+\.[a-z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]);
    const catalogue = Object.entries(ERRORS).map(([code, e]) => [code, e.status]);
    expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(catalogue));
  });
});
