// `npm start` / `npm test` on a fresh clone: build what is missing or older than its sources.
import { existsSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;

function newest(dir) {
  if (!statSync(dir).isDirectory()) return statSync(dir).mtimeMs;
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist') continue;
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const stale = (out, dirs) => !existsSync(out) || dirs.some((d) => newest(join(root, d)) > statSync(out).mtimeMs);

if (stale(join(root, 'packages/server/dist/cli.js'), ['packages/server/src', 'packages/connector-kit/src'])) {
  process.stdout.write('Building the server…\n');
  execSync('npx tsc -b packages/connector-kit packages/server', { cwd: root, stdio: 'inherit' });
  execSync('node scripts/copy-connector-assets.mjs', { cwd: root, stdio: 'inherit' });
}
if (stale(join(root, 'packages/client/dist/index.js'), ['packages/client/src'])) {
  process.stdout.write('Building the client…\n');
  execSync('npx tsc -b packages/client', { cwd: root, stdio: 'inherit' });
}
if (
  stale(join(root, 'packages/pages/dist/index.html'), [
    'packages/pages/src',
    'packages/client/src',
    'packages/console/src/styles.css',
  ])
) {
  process.stdout.write('Building the hosted pages…\n');
  execSync('npm run build --silent -w packages/pages', { cwd: root, stdio: 'inherit' });
}
if (stale(join(root, 'packages/console/dist/index.html'), ['packages/console/src', 'packages/client/src'])) {
  process.stdout.write('Building the console…\n');
  execSync('npm run build --silent -w packages/console', { cwd: root, stdio: 'inherit' });
}
