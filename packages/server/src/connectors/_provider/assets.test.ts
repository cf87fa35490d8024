import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const PROVIDERS = ['sendgrid', 'mailgun', 'postmark', 'aws-ses', 'aliyun-dm', 'resend'];

describe('provider connector assets', () => {
  for (const id of PROVIDERS) {
    it(`${id}: readme.ts and logo.ts match README.md and logo.svg (run _provider/sync-assets.mjs)`, async () => {
      const dir = join(import.meta.dirname, '..', id);
      const { readme } = (await import(`../${id}/readme.ts`)) as { readme: string };
      const { logo } = (await import(`../${id}/logo.ts`)) as { logo: string };
      expect(readme).toBe(readFileSync(join(dir, 'README.md'), 'utf8'));
      expect(logo).toBe(readFileSync(join(dir, 'logo.svg'), 'utf8'));
      expect(logo).toMatch(/^<svg[\s>]/);
      expect(readme).toMatch(/^# /);
    });
  }
});
