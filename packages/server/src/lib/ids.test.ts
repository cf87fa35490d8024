import { describe, expect, it } from 'vitest';
import { timeOrderedId } from './ids.js';

describe('timeOrderedId', () => {
  it('gives distinct RFC 9562 version-7 UUIDs that sort by creation time', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 2000; i++) {
      ids.push(timeOrderedId());
      if (i % 500 === 0) await new Promise((r) => setTimeout(r, 3));
    }
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // Ordered across milliseconds (within one millisecond the random part decides).
    const ms = (id: string) => parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    for (let i = 1; i < ids.length; i++) expect(ms(ids[i]!)).toBeGreaterThanOrEqual(ms(ids[i - 1]!));
    expect(Math.abs(ms(ids.at(-1)!) - Date.now())).toBeLessThan(5_000);
  });
});
