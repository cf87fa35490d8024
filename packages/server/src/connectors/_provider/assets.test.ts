import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILT_IN_FACTORIES } from '../list.js';
import { createBuiltinFactory } from '../builtin/index.js';
// @ts-expect-error: a plain .mjs build script without types
import { copyConnectorAssets } from '../../../../../scripts/copy-connector-assets.mjs';

const connectorsDir = join(import.meta.dirname, '..');
const factories = [createBuiltinFactory({ fromAddress: 'no-reply@example.test' }), ...BUILT_IN_FACTORIES];

describe('connector assets', () => {
  for (const f of factories) {
    it(`${f.id}: the readme and logo are its README.md and logo.svg, read at load`, () => {
      expect(f.readme).toBe(readFileSync(join(connectorsDir, f.id, 'README.md'), 'utf8'));
      expect(f.logo).toBe(readFileSync(join(connectorsDir, f.id, 'logo.svg'), 'utf8'));
      expect(f.logo).toMatch(/^<svg[\s>]/);
      expect(f.readme).toMatch(/^# /);
    });
  }

  it('the build copies every README.md and logo.svg next to the compiled modules', () => {
    const out = mkdtempSync(join(tmpdir(), 'postern-assets-'));
    try {
      const copied = (copyConnectorAssets(connectorsDir, out) as string[]).sort();
      for (const f of factories) {
        expect(copied).toContain(join(f.id, 'README.md'));
        expect(copied).toContain(join(f.id, 'logo.svg'));
        expect(readFileSync(join(out, f.id, 'README.md'), 'utf8')).toBe(f.readme);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
