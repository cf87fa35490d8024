// Regenerates each provider connector's readme.ts and logo.ts from its README.md and
// logo.svg (the sources), because the build is plain tsc and does not copy those files.
// Run: node packages/server/src/connectors/_provider/sync-assets.mjs
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';

export const PROVIDERS = ['sendgrid', 'mailgun', 'postmark', 'aws-ses', 'aliyun-dm', 'resend'];
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export function assetModule(name, text, source) {
  return `// Generated from ${source} by _provider/sync-assets.mjs; edit ${source}, then run it.\nexport const ${name} = ${JSON.stringify(text)};\n`;
}

// Formatted like the rest of the code, so that `prettier --check` stays quiet.
async function write(file, source) {
  writeFileSync(file, await prettier.format(source, { ...(await prettier.resolveConfig(file)), filepath: file }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const id of PROVIDERS) {
    const dir = join(root, id);
    if (!existsSync(join(dir, 'README.md'))) continue;
    await write(
      join(dir, 'readme.ts'),
      assetModule('readme', readFileSync(join(dir, 'README.md'), 'utf8'), 'README.md'),
    );
    await write(join(dir, 'logo.ts'), assetModule('logo', readFileSync(join(dir, 'logo.svg'), 'utf8'), 'logo.svg'));
  }
}
