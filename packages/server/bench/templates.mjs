#!/usr/bin/env node
// `node packages/server/bench/templates.mjs [--rounds=N]`: how long the worst templates hold
// the event loop while they are checked, compiled and rendered (docs/benchmarks.md,
// "Template limits"). Each case runs in a fresh renderer (no compile cache) N times after a
// warm-up; the table shows the median and the slowest round. Needs the built server (dist/).
import { cpus, loadavg } from 'node:os';
import { TemplateRenderer } from '../dist/core/templates/index.js';
import { TEMPLATE_LIMITS as L } from '../dist/core/templates/limits.js';

const roundsArg = process.argv.find((a) => a.startsWith('--rounds='));
const ROUNDS = roundsArg ? Number(roundsArg.slice(9)) : 7;

const vars = {
  code: '482913',
  link: `https://auth.example.com/${'l'.repeat(L.maxVariableChars)}`,
  user: { name: 'n'.repeat(L.maxVariableChars), email: 'a@example.com' },
};
const tags = (n, unit) => unit.repeat(n);
const nestedRun = (depth) => '{{#if code}}'.repeat(depth) + 'x' + '{{/if}}'.repeat(depth);
const longTag = `{{user${'.a'.repeat((L.maxTagChars - 10) / 2)}}}`;

/** [name, content, expected outcome] */
const CASES = [
  ['attack: 20,000 nested {{#if}} (240 KB)', { subject: 's', html: nestedRun(20_000) }, 'refused'],
  ['attack: 6,000 unclosed {{#if}} (72 KB)', { subject: 's', html: '{{#if code}}'.repeat(6_000) }, 'refused'],
  [
    'attack: 30,000 flat {{#if}} blocks (510 KB)',
    { subject: 's', html: tags(30_000, '{{#if code}}x{{/if}}') },
    'refused',
  ],
  [
    'attack: 5 nested {{#each @root}}',
    { subject: 's', html: '{{#each @root}}'.repeat(5) + '{{@key}}' + '{{/each}}'.repeat(5) },
    'refused',
  ],
  [`limit: ${L.maxTags} {{code}} tags`, { subject: 's', html: tags(L.maxTags, '<p>{{code}}</p>') }, 'renders'],
  [
    `limit: ${Math.floor(L.maxTags / 3)} flat {{#if}}{{else}} blocks`,
    { subject: 's', html: tags(Math.floor(L.maxTags / 3), '{{#if code}}{{else}}y{{/if}}') },
    'renders',
  ],
  [
    `limit: ${Math.floor(L.maxTags / (2 * L.maxDepth))} runs nested ${L.maxDepth} deep`,
    { subject: 's', html: tags(Math.floor(L.maxTags / (2 * L.maxDepth)), nestedRun(L.maxDepth)) },
    'renders',
  ],
  [
    'attack: {{else if}} chain of 1,000',
    { subject: 's', html: '{{#if link}}' + tags(1_000, '{{else if code}}y') + '{{/if}}' },
    'refused',
  ],
  ['attack: 1,000 tags of 128 chars', { subject: 's', html: tags(1_000, longTag) }, 'refused'],
  [
    `limit: {{else if}} chains of ${L.maxDepth - 1}`,
    {
      subject: 's',
      html: tags(
        Math.floor(L.maxTags / (L.maxDepth + 1)),
        '{{#if link}}' + tags(L.maxDepth - 1, '{{else if code}}y') + '{{/if}}',
      ),
    },
    'renders',
  ],
  [
    `limit: tags of ${L.maxTagChars} chars up to ${L.maxTokens} tokens`,
    { subject: 's', html: tags(Math.floor(L.maxTokens / (3 + (L.maxTagChars - 10) / 2)), longTag) },
    'renders',
  ],
  [
    'limit: {{#each}} ×10 over a long-variable body',
    { subject: 's', html: '{{#each @root}}' + tags(90, '{{user.name}}') + '{{/each}}' },
    'renders',
  ],
  [
    `limit: ${L.maxPartChars / 1024} KB of nested <div>, text derived`,
    { subject: 's', html: '<div>'.repeat(L.maxPartChars / 12) + '{{code}}' + '</div>'.repeat(L.maxPartChars / 12) },
    'renders',
  ],
  [
    `limit: ${L.maxPartChars / 1024} KB of dense tags, text derived`,
    { subject: 's', html: tags(Math.floor(L.maxPartChars / 36), '<p><b>a</b> <i>b</i> <td>c</td></p>') },
    'renders',
  ],
];

function once(content) {
  const renderer = new TemplateRenderer();
  const cpu = process.cpuUsage();
  const start = performance.now();
  let outcome;
  try {
    renderer.validate(content);
    renderer.render(content, vars);
    outcome = 'renders';
  } catch (err) {
    outcome = err?.code === 'template.invalid' ? 'refused' : `FAILED: ${err?.message}`;
  }
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000, outcome };
}

const rows = [];
let worst = 0;
for (const [name, content, expected] of CASES) {
  once(content);
  const times = [];
  const cpuTimes = [];
  let outcome = '';
  for (let i = 0; i < ROUNDS; i++) {
    const r = once(content);
    times.push(r.ms);
    cpuTimes.push(r.cpuMs);
    outcome = r.outcome;
  }
  times.sort((a, b) => a - b);
  cpuTimes.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  const max = times[times.length - 1];
  const cpuMedian = cpuTimes[Math.floor(cpuTimes.length / 2)];
  worst = Math.max(worst, cpuMedian);
  const size = content.subject.length + content.html.length + (content.text?.length ?? 0);
  rows.push({
    case: name,
    size: `${(size / 1024).toFixed(0)} KB`,
    outcome: outcome === expected ? outcome : `${outcome} (expected ${expected})`,
    'cpu ms (median)': cpuMedian.toFixed(1),
    'wall ms (median)': median.toFixed(1),
    'wall ms (max)': max.toFixed(1),
  });
}
console.table(rows);
// On a shared machine the wall time includes waiting for a core; the CPU time is what one
// template costs the event loop on an idle one.
console.log(
  `slowest case: ${worst.toFixed(1)} ms of CPU (median; budget about 100 ms); load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${cpus().length} cores`,
);
if (rows.some((r) => r.outcome.includes('expected'))) process.exitCode = 1;
