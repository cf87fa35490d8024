import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './config.js';
import { parseMasterSecret } from './lib/crypto.js';

/**
 * POSTERN_SECRET, or the secret generated on first start into `<dataDir>/secret` (mode
 * 0600). Losing it makes stored connector secrets unreadable, so it is never regenerated
 * over an existing file.
 */
export function loadMasterSecret(value: string | undefined, dataDir: string): { secret: Buffer; generated: boolean; path?: string } {
  if (value !== undefined) {
    const secret = parseMasterSecret(value);
    if (!secret) throw new ConfigError('POSTERN_SECRET', 'must be at least 32 bytes, given as base64 or hex');
    return { secret, generated: false };
  }
  const path = join(dataDir, 'secret');
  try {
    const text = readFileSync(path, 'utf8');
    const secret = parseMasterSecret(text);
    if (!secret) throw new ConfigError('POSTERN_SECRET', `the secret file ${path} is unreadable; restore it or set POSTERN_SECRET`);
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
    return { secret, generated: false, path };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32);
  writeFileSync(path, secret.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  return { secret, generated: true, path };
}
