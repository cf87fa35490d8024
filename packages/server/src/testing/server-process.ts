import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built `postern` program (tests that spawn it need `npm run build` first). */
export const POSTERN_BIN = fileURLToPath(new URL('../../bin/postern.js', import.meta.url));

export interface ServerProcess {
  url: string;
  dir: string;
  /** Everything it printed on stdout and stderr so far. */
  output(): string;
  /** The JSON log lines printed so far, parsed. */
  logLines(): Array<Record<string, unknown>>;
  /** SIGTERM, then waits for the exit (a clean stop flushes logs and exported spans). */
  stop(): Promise<number | null>;
}

/**
 * Starts `postern start` on 127.0.0.1 and a free port with a fresh SQLite file, and only
 * the environment given (plus PATH): nothing of the test runner's leaks in.
 */
export async function startServerProcess(env: Record<string, string>, timeoutMs = 20_000): Promise<ServerProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'postern-proc-'));
  let out = '';
  const child: ChildProcess = spawn(process.execPath, [POSTERN_BIN, 'start'], {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${join(dir, 'p.db')}`,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`postern did not start:\n${out}`)), timeoutMs);
    const check = () => {
      const m = /Postern is listening on (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`postern exited (${code}) before listening:\n${out}`));
    });
  });
  return {
    url,
    dir,
    output: () => out,
    logLines: () =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const code = await exited;
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}
