#!/usr/bin/env node
// Summarises a V8 .cpuprofile (from `npm run bench -- --cpu-prof`): self time by function and
// by package, so hot spots show without opening DevTools.
// Usage: node packages/server/bench/profile.mjs [.bench/prof/CPU….cpuprofile] [--top=N]
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('../../../', import.meta.url).pathname;
const top = Number(process.argv.find((a) => a.startsWith('--top='))?.slice(6) ?? 25);
let file = process.argv.slice(2).find((a) => !a.startsWith('--'));
if (!file) {
  const dir = join(ROOT, '.bench/prof');
  const all = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(dir, f));
  file = all.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  if (!file) throw new Error('no .cpuprofile in .bench/prof');
}
const prof = JSON.parse(readFileSync(file, 'utf8'));

// Self time per node: each sample is attributed to one node; timeDeltas give its duration.
const selfUs = new Map();
for (let i = 0; i < prof.samples.length; i++)
  selfUs.set(prof.samples[i], (selfUs.get(prof.samples[i]) ?? 0) + (prof.timeDeltas[i] ?? 0));
const shortUrl = (u) =>
  u
    .replace(/^file:\/\//, '')
    .replace(ROOT, '')
    .replace(/^.*node_modules\//, 'node_modules/');
const pkg = (u) => {
  if (!u) return '(native/idle)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u);
  if (m) return m[1];
  if (u.startsWith('node:')) return 'node core';
  return shortUrl(u).split('/').slice(0, 4).join('/');
};
const byFn = new Map();
const byPkg = new Map();
let total = 0;
for (const n of prof.nodes) {
  const us = selfUs.get(n.id) ?? 0;
  if (!us) continue;
  total += us;
  const { functionName, url, lineNumber } = n.callFrame;
  const key = `${functionName || '(anonymous)'}  ${url ? `${shortUrl(url)}:${lineNumber + 1}` : ''}`;
  byFn.set(key, (byFn.get(key) ?? 0) + us);
  byPkg.set(pkg(url), (byPkg.get(pkg(url)) ?? 0) + us);
}
const show = (title, m) => {
  process.stdout.write(`\n${title}\n`);
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top))
    process.stdout.write(
      `  ${((us / total) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}\n`,
    );
};
process.stdout.write(`${file}: ${(total / 1000).toFixed(0)} ms sampled`);
show('Self time by function', byFn);
show('Self time by package / folder', byPkg);
