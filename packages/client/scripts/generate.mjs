// Regenerates the client's types from the server's OpenAPI document. The server is built
// in-process on a throw-away SQLite database and never listens.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { render } from './render.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, '..');
const root = join(pkg, '..', '..');

const { loadConfig } = await import(join(root, 'packages/server/dist/config.js'));
const { createPostern } = await import(join(root, 'packages/server/dist/main.js'));

const dataDir = mkdtempSync(join(tmpdir(), 'postern-openapi-'));
let doc;
try {
  const config = loadConfig({
    DATABASE_URL: `sqlite:${join(dataDir, 'postern.db')}`,
    POSTERN_SECRET: randomBytes(32).toString('base64'),
    POSTERN_ADMIN_KEY: randomBytes(24).toString('hex'),
    POSTERN_DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
  });
  const postern = await createPostern(config);
  try {
    await postern.app.ready();
    doc = postern.app.swagger();
  } finally {
    await postern.close();
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}

const files = await render(doc, readFileSync(join(root, 'docs/errors.md'), 'utf8'));
for (const [path, content] of Object.entries(files)) {
  mkdirSync(dirname(join(pkg, path)), { recursive: true });
  writeFileSync(join(pkg, path), content);
  process.stdout.write(`wrote packages/client/${path}\n`);
}
