import { readFileSync } from 'node:fs';

/** A `NAME_FILE` variable that cannot be used; `variable` is the one to fix. */
export class SecretFileError extends Error {
  constructor(
    readonly variable: string,
    readonly reason: string,
  ) {
    super(`${variable}: ${reason}`);
    this.name = 'SecretFileError';
  }
}

/**
 * The container and Kubernetes secrets convention: each secret variable NAME may instead be
 * given as NAME_FILE, the path of a file holding the value (a mounted secret). One trailing
 * newline is trimmed, as `echo` and most editors add one; any other whitespace is part of
 * the value. Setting both forms is refused rather than guessing which one wins, and so is a
 * file that cannot be read or is empty. Returns a copy of `env` with the values filled in.
 */
export function withSecretFiles(
  env: NodeJS.ProcessEnv,
  names: readonly string[],
  read: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  for (const name of names) {
    const fileVar = `${name}_FILE`;
    const path = env[fileVar];
    if (path === undefined || path === '') continue;
    if (env[name] !== undefined && env[name] !== '') {
      throw new SecretFileError(name, `set either ${name} or ${fileVar}, not both`);
    }
    let text: string;
    try {
      text = read(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT'
          ? 'no such file'
          : code === 'EACCES'
            ? 'permission denied'
            : code === 'EISDIR'
              ? 'it is a directory'
              : (err as Error).message;
      throw new SecretFileError(fileVar, `cannot read ${path} (${why})`);
    }
    const value = text.replace(/\r?\n$/, '');
    if (value === '') throw new SecretFileError(fileVar, `${path} is empty`);
    out[name] = value;
    delete out[fileVar];
  }
  return out;
}
