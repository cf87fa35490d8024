// Runs Postern (and the better-auth app it is compared with) as child processes and reads
// their CPU time and memory from /proc.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';

const ROOT = new URL('../../../', import.meta.url).pathname;
// BENCH_BIN runs another entry point (e.g. the bundle of `npm run build:bundle`) for A/B runs.
const BIN = process.env.BENCH_BIN ? join(ROOT, process.env.BENCH_BIN) : join(ROOT, 'packages/server/bin/postern.js');
const CLK_TCK = 100; // Linux USER_HZ; /proc/<pid>/stat times are in these ticks

/**
 * Starts `postern start` on 127.0.0.1 port 0 with the given environment and resolves once it
 * prints its address. `cpuProfDir` adds `--cpu-prof` so the profile is written on exit.
 */
export async function startPostern({ env, cpuProfDir }) {
  // The flags of the bin's `#!/usr/bin/env -S node …` line, as `postern start` runs with
  // them, then BENCH_NODE_ARGS (e.g. `--heapsnapshot-signal=SIGUSR2`).
  const args = [...shebangFlags(), ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)];
  if (cpuProfDir) {
    mkdirSync(cpuProfDir, { recursive: true });
    args.push('--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`);
  }
  // With POSTERN_SMTP_PORT set, also wait for the line that names the SMTP listener's port.
  const wantSmtp = env.POSTERN_SMTP_PORT !== undefined;
  const { ready, ...child } = await startNode({
    name: 'Postern',
    argv: [...args, BIN, 'start'],
    env: { HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', ...env },
    ready: (out) => {
      const m = /Postern is listening on (http:\/\/[^\s]+)/.exec(out);
      const smtp = /SMTP: +[^\s]+:(\d+) /.exec(out);
      return m && (!wantSmtp || smtp) ? { url: m[1], smtpPort: smtp ? Number(smtp[1]) : undefined } : null;
    },
  });
  /** `smtpPort`: the SMTP submission listener's port, when POSTERN_SMTP_PORT was given. */
  return { ...child, url: ready.url, smtpPort: ready.smtpPort };
}

/**
 * Starts the better-auth app of the issue-22 comparison (better-auth-app.mjs) with plain
 * `node`, as its users would run it; resolves `{url, pid, stop()}` once it listens.
 */
export async function startBetterAuth({ env }) {
  const { ready, ...child } = await startNode({
    name: 'better-auth',
    argv: [new URL('./better-auth-app.mjs', import.meta.url).pathname],
    env,
    ready: (out) => /better-auth is listening on (http:\/\/[^\s]+)/.exec(out)?.[1] ?? null,
  });
  return { ...child, url: ready };
}

/**
 * Starts a bare forwarder (forwarder-app.mjs) with plain `node`: `kind` "smtp" or "http";
 * resolves `{url, pid, stop()}` once it listens.
 */
export async function startForwarder({ env }) {
  const { ready, ...child } = await startNode({
    name: 'forwarder',
    argv: [new URL('./forwarder-app.mjs', import.meta.url).pathname],
    env,
    ready: (out) => /forwarder is listening on (http:\/\/[^\s]+)/.exec(out)?.[1] ?? null,
  });
  return { ...child, url: ready };
}

/**
 * Spawns `node argv…` with PATH, HOME and `env` only, and resolves once `ready(stdout so
 * far)` returns a value: `{ready: that value, pid, stderrTail(), stop()}`. `stop()` sends
 * SIGTERM and waits (a CPU profile is written during a clean exit), SIGKILL after 15 s.
 */
async function startNode({ name, argv, env, ready }) {
  const child = spawn(process.execPath, argv, {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => {
    stderr += d;
    if (stderr.length > 20_000) stderr = stderr.slice(-10_000);
  });
  const value = await new Promise((resolve, reject) => {
    let out = '';
    const onExit = (code) => reject(new Error(`${name} exited (${code}) before listening:\n${stderr.slice(-2000)}`));
    child.once('exit', onExit);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d) => {
      out += d;
      const v = ready(out);
      if (v) {
        child.off('exit', onExit);
        resolve(v);
      }
    });
  });
  child.stdout.resume();
  return {
    ready: value,
    pid: child.pid,
    stderrTail: () => stderr.slice(-2000),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The Node flags on the bin's first line. */
export function shebangFlags() {
  const first = readFileSync(BIN, 'utf8').split('\n', 1)[0];
  const m = /^#!\/usr\/bin\/env -S node(.*)$/.exec(first);
  return m ? m[1].trim().split(/\s+/).filter(Boolean) : [];
}

/** User+system CPU time of a process, in milliseconds. */
export function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(rest[11]) + Number(rest[12])) * 1000) / CLK_TCK;
}

function statusKb(pid, field) {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

/**
 * Tracks a process's peak RSS over one scenario: resets the kernel's high-water mark when it
 * may (writing 5 to clear_refs), samples VmRSS meanwhile, and reports the larger of both in MB.
 */
export function watchMemory(pid, everyMs = 100) {
  let hwmReset = false;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    hwmReset = true;
  } catch {
    // Not permitted here: the sampled peak is used alone.
  }
  let peak = statusKb(pid, 'VmRSS');
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, statusKb(pid, 'VmRSS'));
    } catch {
      // the process went away; stop() reports what was seen
    }
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      try {
        peak = Math.max(peak, statusKb(pid, 'VmRSS'), hwmReset ? statusKb(pid, 'VmHWM') : 0);
      } catch {
        // keep the sampled peak
      }
      return Math.round(peak / 102.4) / 10;
    },
  };
}
