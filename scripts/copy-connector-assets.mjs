// Copies each connector's README.md and logo.svg next to its compiled module (tsc does not
// copy them); the connectors read them at load with readConnectorFile(import.meta.url, …).
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ASSETS = ['README.md', 'logo.svg'];

/** Copies the assets of every folder under `srcDir` into the same folder under `outDir`; returns the files copied. */
export function copyConnectorAssets(srcDir, outDir) {
  const copied = [];
  for (const entry of readdirSync(srcDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    for (const name of ASSETS) {
      const from = join(srcDir, entry.name, name);
      if (!existsSync(from)) continue;
      mkdirSync(join(outDir, entry.name), { recursive: true });
      copyFileSync(from, join(outDir, entry.name, name));
      copied.push(join(entry.name, name));
    }
  }
  return copied;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = fileURLToPath(new URL('../packages/server/', import.meta.url));
  copyConnectorAssets(join(server, 'src/connectors'), join(server, 'dist/connectors'));
}
