#!/usr/bin/env node
// `npm run soak`: Postern (SQLite) against the HTTP sink at a steady open-loop rate for a
// fixed time, sampling the server process every 10 s; exits 1 unless there were no errors
// and RSS and open file descriptors stayed flat.
// Options: --rate=N sends per second (default 100; half of them are then verified),
// --minutes=M (default 10), --quick (1 minute), --recipients=K (addresses cycled, default
// 1000; 0 = a new address for every send).
import { mkdtempSync, rmSync, readdirSync, readFileSync, readlinkSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startPostern, cpuMs } from './server.mjs';
import { startSinkProcess } from './sinks.mjs';
import { createClient, summarize } from './load.mjs';
import * as sc from './scenarios.mjs';

const ROOT = new URL('../../../', import.meta.url).pathname;
const opt = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
for (const a of process.argv.slice(2))
  if (!/^--(rate|minutes|recipients)=/.test(a) && a !== '--quick') throw new Error(`unknown option ${a}`);
const RATE = Number(opt('rate') ?? 100);
const MINUTES = process.argv.includes('--quick') ? 1 : Number(opt('minutes') ?? 10);
// Per-recipient state (rate-limit buckets of an hour, the recipient's last code) is bounded
// by the number of recipients: cycling a fixed set keeps it constant after the first round,
// so growth past warm-up is a leak, not the rate-limit window filling up.
const RECIPIENTS = Number(opt('recipients') ?? 1000);
if (!(RATE > 0) || !(MINUTES > 0) || !(RECIPIENTS >= 0))
  throw new Error('--rate and --minutes want positive numbers, --recipients a count');
const RUN = randomBytes(3).toString('hex');
const recipient = (seq) => (RECIPIENTS ? `soak${seq % RECIPIENTS}-${RUN}@bench.test` : sc.freshEmail('soak'));
const SAMPLE_MS = 10_000;
const TICK_MS = 10;
// An open loop must not queue without bound if the server stalls: past this many requests
// in flight, a due send is dropped and counted as an error ("dropped").
const MAX_IN_FLIGHT = Math.max(200, RATE * 5);
// Growth allowed between the second and the last third (RSS, sockets) and after warm-up
// (other descriptors: files, pipes, event fds).
const RSS_TOLERANCE = 0.15;
const FD_TOLERANCE = 4;
// Sockets follow the load: an open loop opens connections (inbound from the generator's
// 64, outbound to the sink) while answers queue and closes them when idle, so they are
// judged on their trend, not on their range.
const SOCKET_TOLERANCE = 16;

/** Open descriptors of a process: sockets and all others (files, pipes, event fds). */
function fdCount(pid) {
  let sockets = 0;
  let other = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target = '';
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed between the listing and the read
    }
    if (target.startsWith('socket:')) sockets++;
    else other++;
  }
  return { sockets, other };
}
/** VmRSS and its anonymous part (heap, not mapped files) from /proc/<pid>/status, in MB. */
function memMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, anon: kb('RssAnon') / 1024 };
}
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * The verdict over the samples: the first third of the run is warm-up (heap, caches and
 * connection pools still growing); RSS and fds are judged on the second and the last third.
 */
function verdict(samples, errors) {
  const errorCount = Object.values(errors).reduce((a, b) => a + b, 0);
  const third = Math.max(1, Math.floor(samples.length / 3));
  const second = mean(samples.slice(third, 2 * third).map((s) => s.rssMb));
  const last = mean(samples.slice(-third).map((s) => s.rssMb));
  const fds = samples.slice(third).map((s) => s.otherFds);
  const fdSpread = Math.max(...fds) - Math.min(...fds);
  const secondSockets = mean(samples.slice(third, 2 * third).map((s) => s.sockets));
  const lastSockets = mean(samples.slice(-third).map((s) => s.sockets));
  const rssGrowth = (last - second) / second;
  const checks = [
    { name: 'no errors', ok: errorCount === 0, detail: `${errorCount} errors` },
    {
      name: `RSS flat (last third within ${RSS_TOLERANCE * 100}% of the second third)`,
      ok: rssGrowth <= RSS_TOLERANCE,
      detail: `${second.toFixed(1)} MB → ${last.toFixed(1)} MB (${(rssGrowth * 100).toFixed(1)}%)`,
    },
    {
      name: `non-socket fds flat after warm-up (max − min ≤ ${FD_TOLERANCE})`,
      ok: fdSpread <= FD_TOLERANCE,
      detail: `${Math.min(...fds)}..${Math.max(...fds)}`,
    },
    {
      name: `sockets flat (last third's mean ≤ the second third's + ${SOCKET_TOLERANCE})`,
      ok: lastSockets <= secondSockets + SOCKET_TOLERANCE,
      detail: `${secondSockets.toFixed(1)} → ${lastSockets.toFixed(1)}`,
    },
  ];
  return { ok: checks.every((c) => c.ok), checks };
}

async function main() {
  const durationMs = MINUTES * 60_000;
  process.stdout.write(
    `Postern soak — SQLite, ${RATE} sends/s (half verified), ${RECIPIENTS || 'fresh'} recipients, ${MINUTES} min, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n`,
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'postern-soak-'));
  const sinks = await startSinkProcess();
  const adminKey = `soak-admin-${randomBytes(16).toString('hex')}`;
  let server;
  let client;
  const errors = {};
  const samples = [];
  const minutes = [];
  try {
    server = await startPostern({
      env: {
        DATABASE_URL: `sqlite:${join(dataDir, 'postern.db')}`,
        POSTERN_DATA_DIR: dataDir,
        POSTERN_SECRET: randomBytes(32).toString('base64'),
        POSTERN_ADMIN_KEY: adminKey,
        POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32',
        LOG_LEVEL: 'warn',
      },
    });
    process.stdout.write(`  Postern pid ${server.pid} at ${server.url}\n\n`);
    client = createClient(server.url, adminKey);
    await sc.relaxPolicy(client);
    await sc.useConnector(client, sc.httpConnector(sinks.http));

    const pid = server.pid;
    const fail = (key) => (errors[key] = (errors[key] ?? 0) + 1);
    const newMinute = () => ({ send: [], verify: [], errors: 0 });
    let minute = newMinute();
    const buckets = [];
    let inFlight = 0;
    let issued = 0;
    const pending = new Set();

    /** One send; every second one is followed by its verify. */
    async function one(seq) {
      const email = recipient(seq);
      const bucket = minute;
      let t = performance.now();
      const sent = await client.call('POST', '/api/verification-codes', { email });
      bucket.send.push(performance.now() - t);
      if (sent.status !== 201) return `send:${sent.status}`;
      if (seq % 2) return 'ok';
      const code = await sinks.http.codeFor(email);
      t = performance.now();
      const v = await client.call('POST', '/api/verification-codes/verify', {
        verificationId: sent.body.verificationId,
        email,
        code,
      });
      bucket.verify.push(performance.now() - t);
      return v.status === 204 ? 'ok' : `verify:${v.status}`;
    }
    function launch() {
      const seq = issued++;
      if (inFlight >= MAX_IN_FLIGHT) {
        fail('dropped');
        minute.errors++;
        return;
      }
      inFlight++;
      const bucket = minute;
      const p = one(seq)
        .catch((err) => err?.code ?? 'exception')
        .then((r) => {
          inFlight--;
          pending.delete(p);
          if (r !== 'ok') {
            fail(r);
            bucket.errors++;
          }
        });
      pending.add(p);
    }

    const t0 = performance.now();
    let cpu0 = cpuMs(pid);
    let lastSample = t0;
    const sample = () => {
      const now = performance.now();
      const cpu = cpuMs(pid);
      const mem = memMb(pid);
      const fd = fdCount(pid);
      const s = {
        atS: Math.round((now - t0) / 1000),
        rssMb: Math.round(mem.rss * 10) / 10,
        rssAnonMb: Math.round(mem.anon * 10) / 10,
        fds: fd.sockets + fd.other,
        sockets: fd.sockets,
        otherFds: fd.other,
        cpuPct: Math.round(((cpu - cpu0) / (now - lastSample)) * 1000) / 10,
        inFlight,
      };
      cpu0 = cpu;
      lastSample = now;
      samples.push(s);
      process.stdout.write(
        `  t=${String(s.atS).padStart(4)} s  RSS ${s.rssMb.toFixed(1)} MB (anon ${s.rssAnonMb.toFixed(1)})  fds ${s.fds} (${s.sockets} sockets)  CPU ${s.cpuPct}%  in flight ${inFlight}  sent ${issued}\n`,
      );
    };
    // A minute's bucket is summarised only at the end: answers to requests started near its
    // end still arrive into it after the next one has begun.
    const closeMinute = () => {
      buckets.push(minute);
      minute = newMinute();
    };
    // Open loop: each tick issues whatever the schedule says is due by now, so a slow answer
    // never delays the next send.
    await new Promise((resolve) => {
      let nextSample = SAMPLE_MS;
      let nextMinute = 60_000;
      const timer = setInterval(() => {
        const elapsed = performance.now() - t0;
        const due = Math.min(Math.floor((elapsed / 1000) * RATE), Math.floor((durationMs / 1000) * RATE));
        while (issued < due) launch();
        if (elapsed >= nextSample) {
          sample();
          nextSample += SAMPLE_MS;
        }
        if (elapsed >= nextMinute) {
          closeMinute();
          nextMinute += 60_000;
        }
        if (elapsed >= durationMs) {
          clearInterval(timer);
          resolve();
        }
      }, TICK_MS);
    });
    await Promise.all(pending);
    if (minute.send.length) closeMinute();
    for (const m of buckets)
      minutes.push({
        minute: minutes.length + 1,
        sends: m.send.length,
        send: summarize(m.send),
        verifies: m.verify.length,
        verify: summarize(m.verify),
        errors: m.errors,
      });
  } catch (err) {
    if (server) process.stderr.write(`Postern stderr (tail):\n${server.stderrTail()}\n`);
    throw err;
  } finally {
    await client?.close();
    await server?.stop();
    await sinks.close();
    rmSync(dataDir, { recursive: true, force: true });
  }

  process.stdout.write(
    '\n| minute | sends | send p50 ms | send p99 ms | verifies | verify p50 ms | verify p99 ms | errors |\n',
  );
  process.stdout.write('|---:|---:|---:|---:|---:|---:|---:|---:|\n');
  for (const m of minutes)
    process.stdout.write(
      `| ${m.minute} | ${m.sends} | ${m.send.p50 ?? '-'} | ${m.send.p99 ?? '-'} | ${m.verifies} | ${m.verify.p50 ?? '-'} | ${m.verify.p99 ?? '-'} | ${m.errors} |\n`,
    );
  const v = verdict(samples, errors);
  process.stdout.write(`\nErrors by status: ${JSON.stringify(errors)}\n`);
  for (const c of v.checks) process.stdout.write(`  ${c.ok ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}\n`);
  process.stdout.write(`Verdict: ${v.ok ? 'PASS' : 'FAIL'}\n`);
  mkdirSync(join(ROOT, '.bench'), { recursive: true });
  const out = {
    date: new Date().toISOString(),
    rate: RATE,
    minutes: MINUTES,
    samples,
    perMinute: minutes,
    errors,
    verdict: v,
  };
  writeFileSync(join(ROOT, '.bench/soak.json'), JSON.stringify(out, null, 2) + '\n');
  process.stdout.write('Wrote .bench/soak.json\n');
  process.exitCode = v.ok ? 0 : 1;
}

main().catch((err) => {
  process.stderr.write(`soak failed: ${err?.stack ?? err}\n`);
  process.exitCode = 1;
});
