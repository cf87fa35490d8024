#!/usr/bin/env node
// `npm run bench`: starts Postern in a child process against local sinks and measures the
// code scenarios at concurrency 1 and 32, next to the raw limits of the same sinks.
// Options: --quick (≈1.5 min smoke run), --postgres (PostgreSQL instead of SQLite),
// --cpu-prof (server profile into .bench/prof), --duration=SECONDS (per scenario),
// --seed=N (growth benchmark: N users, codes and email-log rows in the database first;
// then only the HTTP send and send+verify scenarios run), --only=TEXT (only the scenarios
// whose name contains TEXT, e.g. --only=verify; raw limits of other scenarios are skipped;
// --only=relay runs the SMTP relay stage alone: Postern's SMTP listener against a bare sink;
// --only="experience send" runs the issue-22 stage alone: the experience send over SMTP and
// HTTP beside the bare clients and better-auth's emailOTP), --rounds=N (rounds of that stage,
// each measuring its rows in turn; the table has their medians; default 3, quick 1).
import { mkdtempSync, rmSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir, cpus, totalmem, loadavg } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startPostern, startBetterAuth, startForwarder, cpuMs, watchMemory } from './server.mjs';
import { startSinkProcess } from './sinks.mjs';
import { createClient, runLoad } from './load.mjs';
import * as sc from './scenarios.mjs';
import { printRow, table } from './report.mjs';
import { seedPostgres, seedSqlite } from './seed.mjs';

const ROOT = new URL('../../../', import.meta.url).pathname;
const valued = (a) => a.startsWith('--duration=') || a.startsWith('--seed=') || a.startsWith('--only=') || a.startsWith('--rounds=');
const args = new Set(process.argv.slice(2).filter((a) => !valued(a)));
const durationArg = process.argv.find((a) => a.startsWith('--duration='));
const seedArg = process.argv.find((a) => a.startsWith('--seed='));
const ONLY = process.argv.find((a) => a.startsWith('--only='))?.slice(7) ?? '';
const SEED = seedArg ? Number(seedArg.slice(7)) : 0;
if (!Number.isInteger(SEED) || SEED < 0) throw new Error(`--seed wants a whole number, got ${seedArg}`);
const roundsArg = process.argv.find((a) => a.startsWith('--rounds='));
for (const a of args) if (!['--quick', '--postgres', '--cpu-prof'].includes(a)) throw new Error(`unknown option ${a}`);
const QUICK = args.has('--quick');
const DB = args.has('--postgres') ? 'postgres' : 'sqlite';
const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const measureMs = durationArg ? Number(durationArg.split('=')[1]) * 1000 : QUICK ? 1500 : 6000;
const warmupMs = QUICK ? 300 : 1000;
const CONCURRENCY = [1, 32];
/** Rounds of the experience-send stage; its table rows are their medians. */
const ROUNDS = roundsArg ? Number(roundsArg.slice(9)) : QUICK ? 1 : 3;
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error(`--rounds wants a whole number from 1, got ${roundsArg}`);
const VERIFY_POOL_RATE = 3000;
const SIGN_IN_USERS_PER_WORKER = QUICK ? 1 : 2;

function machine() {
  const model =
    /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model ?? 'unknown';
  // The load average says how much else was running: on a shared machine it explains noise.
  const load = loadavg().map((l) => Math.round(l * 100) / 100);
  return {
    cpus: cpus().length,
    model,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadavgAtStart: load,
  };
}

async function pgDatabase() {
  const name = `postern_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists "${name}" with (force)`);
      await c.end();
    },
  };
}

const RAW_HTTP = 'raw HTTP POST (undici Pool)';
const RAW_SMTP = 'raw SMTP (nodemailer pool of 5)';
const RAW_SMTP_NODELAY = 'raw SMTP (pool of 5, TCP_NODELAY)';
const RELAY_BARE = 'SMTP relay: bare smtp-server sink (pool of 5, STARTTLS+AUTH)';
const RELAY_POSTERN = 'SMTP relay: Postern listener, HTTP connector behind (pool of 5, STARTTLS+AUTH)';
const SIGN_IN = 'sign-in by code (send+verify+tokens)';
const OUTBOX_SEND = 'send with outbox: forgot-password (202, delivered after)';
/** Whether --only leaves any of the rows named (a stage with none left skips its set-up too). */
const selected = (...names) => !ONLY || names.some((n) => n.includes(ONLY));
/** Whether --only leaves any of the relay stage's rows (then Postern starts its SMTP listener). */
const RELAY_ON = !SEED && selected(RELAY_BARE, RELAY_POSTERN);
// The experience-send stage (issue 22): Postern beside the bare clients of the same receivers
// and beside better-auth, in one run.
const EXP_BARE_SMTP = 'experience send: bare nodemailer pool of 5 (TCP_NODELAY) → SMTP receiver';
const EXP_SMTP = 'experience send: Postern, SMTP connector';
const EXP_BETTER_AUTH = 'experience send: better-auth emailOTP (nodemailer pool of 5 → SMTP receiver)';
const EXP_BARE_HTTP = 'experience send: bare undici Pool → HTTP receiver';
const EXP_HTTP = 'experience send: Postern, HTTP connector';
// The least any HTTP service does for the same job (bench/forwarder-app.mjs): the ceiling a
// real service's ratio can reach on this machine.
const EXP_FWD_SMTP = 'experience send: bare forwarder (node:http → nodemailer pool of 5) → SMTP receiver';
const EXP_FWD_HTTP = 'experience send: bare forwarder (node:http → undici Pool) → HTTP receiver';
const EXPERIENCE_ON = !SEED && selected(EXP_BARE_SMTP, EXP_SMTP, EXP_FWD_SMTP, EXP_BETTER_AUTH, EXP_BARE_HTTP, EXP_HTTP, EXP_FWD_HTTP);
const rows = [];
let server;

/** Warms up, then measures one scenario at one concurrency and records the row. */
async function measure(name, concurrency, scenario, { kind, raw, stepName, stepLabel, prepare, pid: measuredPid, round } = {}) {
  if (ONLY && !name.includes(ONLY)) return;
  if (prepare) await prepare();
  const maxOps = () => scenario.maxOps?.() ?? undefined;
  await runLoad({ concurrency, durationMs: warmupMs, maxOps: maxOps(), expect: scenario.expect, op: scenario.op });
  // `pid` is the process measured instead of Postern: better-auth's (CPU and memory), or on a
  // raw row the receiver's (CPU only: the relay's bare sink). A raw row has no Postern CPU.
  const pid = measuredPid ?? (kind === 'raw' ? null : server.pid);
  const mem = kind === 'raw' ? null : watchMemory(pid);
  const cpu0 = pid ? cpuMs(pid) : 0;
  const self0 = process.cpuUsage();
  const r = await runLoad({ concurrency, durationMs: measureMs, maxOps: maxOps(), expect: scenario.expect, op: scenario.op });
  const self = process.cpuUsage(self0);
  const base = {
    concurrency,
    requests: r.requests,
    rps: (r.ok / r.elapsedMs) * 1000,
    p50: r.p50,
    p99: r.p99,
    errors: r.errors,
    serverCpuMs: pid ? Math.round(cpuMs(pid) - cpu0) : null,
    serverPeakRssMb: mem ? mem.stop() : null,
    benchCpuMs: Math.round((self.user + self.system) / 1000),
    durationMs: Math.round(r.elapsedMs),
    rawLimit: raw ?? null,
    ratio: null,
  };
  // A row of a round (`round: {rows, label}`) goes into that round's rows, and its raw limit is
  // the one measured in the same round.
  const into = round?.rows ?? rows;
  const add = (row) => {
    const limit = row.rawLimit && into.find((x) => x.name === row.rawLimit && x.concurrency === concurrency);
    row.ratio = limit ? row.rps / limit.rps : null;
    into.push(row);
    printRow(round?.label ? { ...row, name: `${row.name} [round ${round.label}]` } : row);
  };
  add({ name, ...base });
  if (stepName && r.steps[stepName]) {
    // The step alone: its own latency; the rate is that of the completed pairs.
    add({
      ...base,
      name: stepLabel,
      p50: r.steps[stepName].p50,
      p99: r.steps[stepName].p99,
      serverCpuMs: null,
      serverPeakRssMb: null,
      rawLimit: null,
    });
  }
}

/**
 * The SMTP relay stage (issue 18): the same nodemailer pool of 5 pushes mail through the bare
 * submission sink, then through Postern's listener (the HTTP connector behind it); the
 * Postern row's ratio is to the bare row of the same round. ROUNDS rounds per concurrency,
 * the table gets their medians (as in the experience-send stage). After each Postern row,
 * how long the outbox took to deliver what was accepted.
 */
async function relayStage(client, sinks, sample) {
  const credential = await sc.relayCredential(client);
  const postern = { host: '127.0.0.1', port: server.smtpPort, ...credential };
  for (const c of CONCURRENCY) {
    const rounds = [];
    for (let i = 0; i < ROUNDS; i++) {
      const round = { rows: [], label: ROUNDS > 1 ? `${i + 1}/${ROUNDS}` : null };
      rounds.push(round.rows);
      const bare = sc.relayClient(sinks.submission, sample);
      await measure(RELAY_BARE, c, bare, { kind: 'raw', pid: sinks.pid, round });
      bare.close();
      const relay = sc.relayClient(postern, sample);
      await measure(RELAY_POSTERN, c, relay, { raw: RELAY_BARE, round });
      relay.close();
      if (selected(RELAY_POSTERN)) process.stdout.write(`    outbox drained ${Math.round(await sc.outboxDrained(client))} ms after the load stopped\n`);
    }
    for (const row of ROUNDS > 1 ? medianRows(rounds) : rounds[0]) {
      rows.push(row);
      if (ROUNDS > 1) printRow({ ...row, name: `${row.name} [median of ${ROUNDS}]` });
    }
  }
}

/**
 * The experience-send stage (issue 22). One experience send first, through the HTTP
 * connector, gives the message every row sends: its JSON body for the bare undici Pool, its
 * subject, HTML and text for the bare nodemailer pool and for better-auth (which puts its own
 * code in place of this one). Then, for each concurrency, ROUNDS times in turn: the bare
 * nodemailer pool (TCP_NODELAY) into the SMTP receiver, Postern's experience send through the
 * SMTP connector into it, better-auth's emailOTP send into it, the bare undici Pool into the
 * HTTP receiver, and Postern's experience send through the HTTP connector. Each Postern row's
 * `× raw` is to the bare row just before it in its round; better-auth's is to the bare SMTP
 * row too. The table gets the medians of the rounds; the comparison with better-auth is
 * printed after it (experienceSummary).
 */
async function experienceStage(client, { http, smtp }, dataDir) {
  await sc.useConnector(client, sc.httpConnector(http));
  const email = sc.freshEmail('experience-sample');
  const first = await client.call('POST', '/api/experience/verification-codes', { email, intent: 'sign-in' }, { auth: false });
  if (first.status !== 202) throw new Error(`the experience send answered ${first.status}: ${JSON.stringify(first.body)}`);
  const sample = await http.sample({ latest: true });
  if (sample?.to !== email || !sample.payload?.code) throw new Error(`the HTTP receiver's last body is not the experience send to ${email}`);
  // better-auth on the database engine Postern runs on: its own database on PostgreSQL.
  const betterAuthDb = selected(EXP_BETTER_AUTH) && DB === 'postgres' ? await pgDatabase() : null;
  let betterAuth = null;
  let betterAuthClient = null;
  const forwarders = [];
  try {
    const forwarder = async (row, env) => {
      if (!selected(row)) return null;
      const f = await startForwarder({ env: { ...env, BENCH_MESSAGE: JSON.stringify({ subject: sample.subject, html: sample.html, text: sample.text, body: sample }) } });
      const fwd = { pid: f.pid, client: createClient(f.url, ''), stop: f.stop };
      forwarders.push(fwd);
      return fwd;
    };
    const fwdSmtp = await forwarder(EXP_FWD_SMTP, { BENCH_FORWARD: 'smtp', BENCH_SMTP_HOST: smtp.host, BENCH_SMTP_PORT: String(smtp.port) });
    const fwdHttp = await forwarder(EXP_FWD_HTTP, { BENCH_FORWARD: 'http', BENCH_HTTP_URL: http.url, BENCH_CONNECTIONS: String(Math.max(...CONCURRENCY)) });
    if (selected(EXP_BETTER_AUTH)) {
      betterAuth = await startBetterAuth({
        env: {
          BENCH_DB: betterAuthDb ? betterAuthDb.url : join(dataDir, 'better-auth.db'),
          BENCH_SMTP_HOST: smtp.host,
          BENCH_SMTP_PORT: String(smtp.port),
          BENCH_MESSAGE: JSON.stringify({ subject: sample.subject, html: sample.html, text: sample.text, code: String(sample.payload.code) }),
        },
      });
      process.stdout.write(`  better-auth pid ${betterAuth.pid} at ${betterAuth.url}\n`);
      betterAuthClient = createClient(betterAuth.url, '');
    }
    for (const c of CONCURRENCY) {
      const rounds = [];
      for (let i = 0; i < ROUNDS; i++) {
        const round = { rows: [], label: ROUNDS > 1 ? `${i + 1}/${ROUNDS}` : null };
        rounds.push(round.rows);
        const bareSmtp = sc.rawSmtp(smtp, sample, { noDelay: true });
        await measure(EXP_BARE_SMTP, c, bareSmtp, { kind: 'raw', round });
        bareSmtp.close();
        if (selected(EXP_SMTP)) await sc.useConnector(client, sc.smtpConnector(smtp));
        await measure(EXP_SMTP, c, sc.experienceSend(client, 'experience-smtp'), { raw: EXP_BARE_SMTP, round });
        if (fwdSmtp) await measure(EXP_FWD_SMTP, c, sc.forwarderSend(fwdSmtp.client), { raw: EXP_BARE_SMTP, pid: fwdSmtp.pid, round });
        if (betterAuth)
          await measure(EXP_BETTER_AUTH, c, sc.betterAuthSend(betterAuthClient), { raw: EXP_BARE_SMTP, pid: betterAuth.pid, round });
        const bareHttp = sc.rawHttp(http, sample, c);
        await measure(EXP_BARE_HTTP, c, bareHttp, { kind: 'raw', round });
        await bareHttp.close();
        if (selected(EXP_HTTP)) await sc.useConnector(client, sc.httpConnector(http));
        await measure(EXP_HTTP, c, sc.experienceSend(client, 'experience-http'), { raw: EXP_BARE_HTTP, round });
        if (fwdHttp) await measure(EXP_FWD_HTTP, c, sc.forwarderSend(fwdHttp.client), { raw: EXP_BARE_HTTP, pid: fwdHttp.pid, round });
      }
      for (const row of ROUNDS > 1 ? medianRows(rounds) : rounds[0]) {
        rows.push(row);
        if (ROUNDS > 1) printRow({ ...row, name: `${row.name} [median of ${ROUNDS}]` });
      }
    }
  } catch (err) {
    if (betterAuth) process.stderr.write(`better-auth stderr (tail):\n${betterAuth.stderrTail()}\n`);
    throw err;
  } finally {
    await betterAuthClient?.close();
    await betterAuth?.stop();
    for (const f of forwarders) {
      await f.client.close();
      await f.stop();
    }
    await betterAuthDb?.drop();
  }
}

/** The middle value of the numbers given (nulls left out), or null. */
function median(values) {
  const s = values.filter((v) => v !== null && v !== undefined).sort((x, y) => x - y);
  if (s.length === 0) return null;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * One row per scenario from rounds that measured the same scenarios in turn: the median rate,
 * p50, p99 and ratio (each round's ratio is to the raw limit of that round, so a load that
 * drifts between rounds cancels out), requests, CPU and time added up (CPU ms/req is then
 * over all rounds), the highest peak RSS, the errors of all rounds.
 */
function medianRows(rounds) {
  const round2 = (v) => (v === null ? null : Math.round(v * 100) / 100);
  const sum = (xs) => xs.reduce((a, b) => a + b, 0);
  return rounds[0].map((first) => {
    const same = rounds.map((r) => r.find((x) => x.name === first.name)).filter(Boolean);
    const errors = {};
    for (const r of same) for (const [k, v] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + v;
    return {
      ...first,
      rounds: same.length,
      requests: sum(same.map((r) => r.requests)),
      rps: median(same.map((r) => r.rps)),
      p50: round2(median(same.map((r) => r.p50))),
      p99: round2(median(same.map((r) => r.p99))),
      errors,
      serverCpuMs: first.serverCpuMs === null ? null : sum(same.map((r) => r.serverCpuMs)),
      serverPeakRssMb: first.serverPeakRssMb === null ? null : Math.max(...same.map((r) => r.serverPeakRssMb)),
      benchCpuMs: sum(same.map((r) => r.benchCpuMs)),
      durationMs: sum(same.map((r) => r.durationMs)),
      ratio: median(same.map((r) => r.ratio)),
    };
  });
}

/** The issue-22 lines under the table: each Postern row against its bare client and better-auth, with the targets. */
function experienceSummary() {
  const at = (name, c) => rows.find((r) => r.name === name && r.concurrency === c);
  const perReq = (r) => (r?.serverCpuMs != null && r.requests ? r.serverCpuMs / r.requests : null);
  const x = (v) => (v == null || !Number.isFinite(v) ? '-' : `${v.toFixed(2)}×`);
  for (const c of CONCURRENCY) {
    const smtp = at(EXP_SMTP, c);
    const http = at(EXP_HTTP, c);
    const ba = at(EXP_BETTER_AUTH, c);
    if (smtp?.ratio != null)
      process.stdout.write(
        `Experience send at c=${c}, SMTP connector: ${smtp.rps.toFixed(0)}/s = ${x(smtp.ratio)} the bare nodemailer pool of 5 with TCP_NODELAY (target ≥ 0.6×)\n`,
      );
    if (http?.ratio != null)
      process.stdout.write(
        `Experience send at c=${c}, HTTP connector: ${http.rps.toFixed(0)}/s = ${x(http.ratio)} the bare undici Pool (target ≥ 0.5×)\n`,
      );
    const fwdSmtp = at(EXP_FWD_SMTP, c);
    const fwdHttp = at(EXP_FWD_HTTP, c);
    for (const [postern, fwd, what] of [
      [smtp, fwdSmtp, 'SMTP'],
      [http, fwdHttp, 'HTTP'],
    ])
      if (fwd?.ratio != null)
        process.stdout.write(
          `Experience send at c=${c}, ${what}: the bare forwarder reaches ${fwd.rps.toFixed(0)}/s = ${x(fwd.ratio)} its bare client, the ceiling of any HTTP service here` +
            `${postern ? `; Postern is ${x(postern.rps / fwd.rps)} of it (CPU ms/send ${perReq(postern)?.toFixed(2) ?? '-'} vs ${perReq(fwd)?.toFixed(2) ?? '-'})` : ''}` +
            `${what === 'SMTP' && ba ? `; it is ${x(fwd.rps / ba.rps)} better-auth's rate` : ''}\n`,
        );
    if (smtp && ba)
      process.stdout.write(
        `Experience send at c=${c}, SMTP connector vs better-auth emailOTP (${ba.rps.toFixed(0)}/s): rate ${x(smtp.rps / ba.rps)} (target ≥ 3×), ` +
          `p99 ${x(smtp.p99 / ba.p99)} (${smtp.p99?.toFixed(1)} vs ${ba.p99?.toFixed(1)} ms; target ≤ 0.33× at c=32), ` +
          `peak RSS ${x(smtp.serverPeakRssMb / ba.serverPeakRssMb)} (${smtp.serverPeakRssMb} vs ${ba.serverPeakRssMb} MB; target ≤ 0.5×), ` +
          `CPU ms/send ${x(perReq(smtp) / perReq(ba))} (${perReq(smtp)?.toFixed(2) ?? '-'} vs ${perReq(ba)?.toFixed(2) ?? '-'})\n`,
      );
  }
}

/** Sign-in by code, then the SMTP raw limits and connector. */
async function otherScenarios(client, http, smtp, sample) {
  if (!selected(SIGN_IN, OUTBOX_SEND)) {
    // --only leaves neither of the scenarios that need registered users.
  } else if (await sc.signInAvailable(client)) {
    const users = [];
    for (let w = 0; w < Math.max(...CONCURRENCY); w++) {
      const mine = [];
      for (let i = 0; i < SIGN_IN_USERS_PER_WORKER; i++) {
        const email = sc.freshEmail('signin');
        await sc.registerUser(client, http, email);
        mine.push(email);
      }
      users.push(mine);
    }
    for (const c of CONCURRENCY)
      await measure(
        SIGN_IN,
        c,
        sc.signInByCode(client, http, (w) => users[w]),
        {
          raw: RAW_HTTP,
          stepName: 'sign-in call',
          stepLabel: 'sign-in call alone (rate: sign-ins/s)',
        },
      );
    // Send with outbox, answered first: the 202 comes back once the message is in the
    // outbox; delivery runs after it. Then the time for the outbox to drain.
    for (const c of CONCURRENCY) {
      await measure(OUTBOX_SEND, c, sc.forgotPassword(client, (w) => users[w]), { raw: RAW_HTTP });
      if (!ONLY || 'send with outbox'.includes(ONLY) || ONLY.includes('outbox')) process.stdout.write(`    outbox drained ${Math.round(await sc.outboxDrained(client))} ms after the load stopped\n`);
    }
  } else {
    process.stdout.write('  sign-in by code: not available yet\n');
  }

  for (const c of CONCURRENCY) {
    const raw = sc.rawSmtp(smtp, sample);
    await measure(RAW_SMTP, c, raw, { kind: 'raw' });
    raw.close();
  }
  for (const c of CONCURRENCY) {
    const raw = sc.rawSmtp(smtp, sample, { noDelay: true });
    await measure(RAW_SMTP_NODELAY, c, raw, { kind: 'raw' });
    raw.close();
  }
  await sc.useConnector(client, sc.smtpConnector(smtp));
  for (const c of CONCURRENCY)
    await measure('send code, SMTP connector', c, sc.sendCode(client, 'smtp'), { raw: RAW_SMTP_NODELAY });
}

async function main() {
  const info = machine();
  process.stdout.write(
    `Postern benchmark — ${DB}${QUICK ? ', quick' : ''}${SEED ? `, seeded with ${SEED}` : ''}, ${measureMs / 1000} s per scenario after ${warmupMs / 1000} s warm-up\n`,
  );
  process.stdout.write(
    `  machine: ${info.cpus} CPU (${info.model}), ${info.memoryGb} GB, Node ${info.node}, load average ${info.loadavgAtStart.join(' ')}\n`,
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'postern-bench-'));
  const db = DB === 'postgres' ? await pgDatabase() : null;
  const sinks = await startSinkProcess();
  const { http, smtp } = sinks;
  const adminKey = `bench-admin-${randomBytes(16).toString('hex')}`;
  let client;
  const env = {
    DATABASE_URL: db ? db.url : `sqlite:${join(dataDir, 'postern.db')}`,
    POSTERN_DATA_DIR: dataDir,
    POSTERN_SECRET: randomBytes(32).toString('base64'),
    POSTERN_ADMIN_KEY: adminKey,
    POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32',
    LOG_LEVEL: 'warn',
    ...(RELAY_ON ? { POSTERN_SMTP_PORT: '0', POSTERN_SMTP_HOST: '127.0.0.1' } : {}),
  };
  try {
    if (SEED) {
      // A first start migrates the database; the rows go in while no server holds it.
      await (await startPostern({ env })).stop();
      const s = db ? await seedPostgres(db.url, SEED) : seedSqlite(join(dataDir, 'postern.db'), SEED);
      process.stdout.write(`  seeded ${SEED} users, codes and email-log rows in ${s.toFixed(1)} s\n`);
    }
    const cpuProfDir = args.has('--cpu-prof') ? join(ROOT, '.bench/prof') : undefined;
    server = await startPostern({ cpuProfDir, env });
    process.stdout.write(`  Postern pid ${server.pid} at ${server.url}\n\n`);
    client = createClient(server.url, adminKey);
    await sc.relaxPolicy(client);
    await sc.useConnector(client, sc.httpConnector(http));

    // One send first, so the raw limit posts the same body the connector posts.
    const first = await client.call('POST', '/api/verification-codes', { email: sc.freshEmail('sample') });
    if (first.status !== 201) throw new Error(`the first send answered ${first.status}: ${JSON.stringify(first.body)}`);
    const sample = await http.sample();
    if (!sample) throw new Error('the HTTP sink received nothing');
    for (const c of SEED ? [] : CONCURRENCY) {
      const raw = sc.rawHttp(http, sample, c);
      await measure(RAW_HTTP, c, raw, { kind: 'raw' });
      await raw.close();
    }
    // Every send is written to the outbox in the code's transaction (SPEC §15): this row is
    // the "send with outbox" rate of a send that answers after delivery.
    for (const c of CONCURRENCY)
      await measure('send code, HTTP connector', c, sc.sendCode(client, 'http'), { raw: RAW_HTTP });
    for (const c of CONCURRENCY)
      await measure('send+verify pair, HTTP connector', c, sc.sendAndVerify(client, http), {
        raw: RAW_HTTP,
        stepName: 'verify',
        stepLabel: 'verify call alone (rate: pairs/s)',
      });
    // Verify alone: a pool of codes sized for the warm-up and the measurement at up to
    // VERIFY_POOL_RATE verifies/s, issued before the clock starts.
    for (const c of CONCURRENCY) {
      const v = sc.verifyOnly(client, http);
      const count = Math.ceil(((warmupMs + measureMs) / 1000) * VERIFY_POOL_RATE * (c === 1 ? 0.5 : 1));
      await measure('verify code (codes issued beforehand)', c, v, { prepare: () => v.prepare(count) });
    }

    if (RELAY_ON) await relayStage(client, sinks, sample);
    // The growth benchmark (--seed) measures the send and verify scenarios only.
    if (!SEED) await otherScenarios(client, http, smtp, sample);
    if (EXPERIENCE_ON) {
      // A fresh Postern (same database, so the policy and connectors stay) without the SMTP
      // listener of the relay stage: its memory is then that of a server sending codes after
      // this stage's load alone, as better-auth's is, not after every scenario before.
      await client.close();
      await server.stop();
      const { POSTERN_SMTP_PORT: _port, POSTERN_SMTP_HOST: _host, ...stageEnv } = env;
      server = await startPostern({ cpuProfDir, env: stageEnv });
      client = createClient(server.url, adminKey);
      process.stdout.write(`  Postern restarted for the experience-send stage: pid ${server.pid}\n`);
      await experienceStage(client, sinks, dataDir);
    }
  } catch (err) {
    if (server) process.stderr.write(`Postern stderr (tail):\n${server.stderrTail()}\n`);
    throw err;
  } finally {
    await client?.close();
    await server?.stop();
    await sinks.close();
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }

  const text = table(rows);
  process.stdout.write(`\n${text}\n`);
  const smtp32 = rows.find((r) => r.name === 'send code, SMTP connector' && r.concurrency === 32);
  const nagle32 = rows.find((r) => r.name === RAW_SMTP && r.concurrency === 32);
  // Issue 22: the bare limit is the fastest plain client (TCP_NODELAY), not nodemailer's default.
  if (smtp32?.ratio)
    process.stdout.write(
      `\nSMTP connector at c=32: ${smtp32.ratio.toFixed(2)}× the raw pooled nodemailer with TCP_NODELAY (target ≥ 0.6×)` +
        `${nagle32 ? `, ${(smtp32.rps / nagle32.rps).toFixed(2)}× the same pool with Nagle's algorithm on (nodemailer's default)` : ''}\n`,
    );
  for (const c of CONCURRENCY) {
    const relay = rows.find((r) => r.name === RELAY_POSTERN && r.concurrency === c);
    const bare = rows.find((r) => r.name === RELAY_BARE && r.concurrency === c);
    if (relay?.ratio)
      process.stdout.write(
        `SMTP relay at c=${c}: Postern ${relay.rps.toFixed(0)} msg/s = ${relay.ratio.toFixed(2)}× the bare smtp-server sink (target ≥ 0.5×)` +
          `${relay.serverCpuMs ? `, ${(relay.serverCpuMs / relay.requests).toFixed(2)} ms server CPU per message` : ''}` +
          `${bare?.serverCpuMs ? ` (bare sink ${(bare.serverCpuMs / bare.requests).toFixed(2)} ms)` : ''}\n`,
      );
  }
  experienceSummary();
  mkdirSync(join(ROOT, '.bench'), { recursive: true });
  const out = {
    date: new Date().toISOString(),
    database: DB,
    quick: QUICK,
    seed: SEED,
    measureMs,
    warmupMs,
    machine: info,
    rows,
  };
  writeFileSync(join(ROOT, '.bench/last.json'), JSON.stringify(out, null, 2) + '\n');
  process.stdout.write(`Wrote .bench/last.json${args.has('--cpu-prof') ? '; CPU profile in .bench/prof/' : ''}\n`);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err?.stack ?? err}\n`);
  process.exitCode = 1;
});
