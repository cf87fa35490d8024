#!/usr/bin/env node
// `node packages/server/bench/probe.mjs SCENARIO [ROUNDS]`: one scenario at concurrency 32
// in rounds of 2 s against a fresh Postern (SQLite), printing per round the rate, p99, the
// server's RSS split into anonymous and file-backed memory, and CPU per operation of the
// server's main thread and of the whole process. Made for A/B checks of one change on a
// noisy machine (compare the later rounds; the first ones include the JIT's warm-up).
// SCENARIO: send | verify (send+verify pairs) | signin. Environment: BENCH_NODE_ARGS (extra
// Node flags for the server, e.g. --heapsnapshot-signal=SIGUSR2).
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startPostern, cpuMs } from './server.mjs';
import { startSinkProcess } from './sinks.mjs';
import { createClient, runLoad } from './load.mjs';
import * as sc from './scenarios.mjs';

const [scenario = 'send', roundsArg = '5'] = process.argv.slice(2);
if (!['send', 'verify', 'signin'].includes(scenario)) throw new Error(`unknown scenario ${scenario}`);
const dataDir = mkdtempSync(join(tmpdir(), 'postern-probe-'));
const sinks = await startSinkProcess();
const adminKey = `probe-${randomBytes(12).toString('hex')}`;
const server = await startPostern({
  env: {
    DATABASE_URL: `sqlite:${join(dataDir, 'postern.db')}`,
    POSTERN_DATA_DIR: dataDir,
    POSTERN_SECRET: randomBytes(32).toString('base64'),
    POSTERN_ADMIN_KEY: adminKey,
    POSTERN_OUTBOUND_ALLOW: '127.0.0.1/32',
  },
});

const memory = () => {
  const st = readFileSync(`/proc/${server.pid}/status`, 'utf8');
  const mb = (f) => Math.round(Number(new RegExp(`${f}:\\s+(\\d+)`).exec(st)?.[1] ?? 0) / 1024);
  return `RSS ${mb('VmRSS')} MB (anon ${mb('RssAnon')}, file ${mb('RssFile')}, peak ${mb('VmHWM')})`;
};
/** CPU ms of the server's main thread (its thread id is the process id). */
const mainThreadMs = () => {
  const st = readFileSync(`/proc/${server.pid}/task/${server.pid}/stat`, 'utf8');
  const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
};

const client = createClient(server.url, adminKey);
try {
  await sc.relaxPolicy(client);
  await sc.useConnector(client, sc.httpConnector(sinks.http));
  let s = scenario === 'send' ? sc.sendCode(client, 'probe') : sc.sendAndVerify(client, sinks.http);
  if (scenario === 'signin') {
    const users = [];
    for (let w = 0; w < 32; w++) {
      const mine = [];
      for (let i = 0; i < 2; i++) {
        const email = sc.freshEmail('probe-signin');
        await sc.registerUser(client, sinks.http, email);
        mine.push(email);
      }
      users.push(mine);
    }
    s = sc.signInByCode(client, sinks.http, (w) => users[w]);
  }
  process.stdout.write(`${scenario}, c=32, Postern pid ${server.pid}, idle ${memory()}, ${readdirSync(`/proc/${server.pid}/task`).length} threads\n`);
  for (let i = 0; i < Number(roundsArg); i++) {
    const [proc0, main0] = [cpuMs(server.pid), mainThreadMs()];
    const r = await runLoad({ concurrency: 32, durationMs: 2000, expect: s.expect, op: s.op });
    const perOp = (ms) => (ms / r.requests).toFixed(3);
    process.stdout.write(
      `round ${i}: ${Math.round((r.ok / r.elapsedMs) * 1000)}/s p99 ${r.p99} ms errors ${JSON.stringify(r.errors)}  ${memory()}  ` +
        `CPU ms/op main thread ${perOp(mainThreadMs() - main0)}, process ${perOp(cpuMs(server.pid) - proc0)}\n`,
    );
  }
} finally {
  await client.close();
  await server.stop();
  await sinks.close();
  rmSync(dataDir, { recursive: true, force: true });
}
