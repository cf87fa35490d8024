import { readFileSync } from 'node:fs';

/**
 * Reads a file that ships beside a connector module, such as its `README.md` and
 * `logo.svg`, once at load: `readConnectorFile(import.meta.url, 'README.md')`. The files
 * stay the single source; a build must copy them next to the compiled module.
 */
export function readConnectorFile(moduleUrl: string | URL, name: string): string {
  return readFileSync(new URL(name, moduleUrl), 'utf8');
}
