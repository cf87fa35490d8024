// `npm start` on a fresh clone: build once if the compiled server is missing or older than its sources.
import { existsSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'packages/server/dist/cli.js');

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const srcs = ['packages/server/src', 'packages/connector-kit/src'].map((d) => join(root, d));
if (!existsSync(out) || srcs.some((d) => newest(d) > statSync(out).mtimeMs)) {
  process.stdout.write('Building Postern…\n');
  execSync('npm run build --silent', { cwd: root, stdio: 'inherit' });
}
