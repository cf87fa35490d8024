// Formatting of results: a line per scenario while running, a table at the end.

const fmt = (v, digits = 0) =>
  v === null || v === undefined ? '-' : typeof v === 'number' ? v.toFixed(digits) : String(v);
const errText = (errors) =>
  Object.entries(errors)
    .map(([k, v]) => `${k}×${v}`)
    .join(' ') || '0';

export function printRow(r) {
  process.stdout.write(
    `  ${r.name.padEnd(34)} c=${String(r.concurrency).padEnd(3)} ${fmt(r.requests).padStart(6)} req  ${fmt(r.rps, 1).padStart(8)} req/s  ` +
      `p50 ${fmt(r.p50, 2)} ms  p99 ${fmt(r.p99, 2)} ms  errors ${errText(r.errors)}` +
      (r.serverCpuMs !== null
        ? `  server CPU ${fmt(r.serverCpuMs)} ms  peak RSS ${fmt(r.serverPeakRssMb, 1)} MB`
        : '') +
      (r.ratio !== null ? `  ${fmt(r.ratio, 2)}× raw` : '') +
      '\n',
  );
}

const COLUMNS = [
  ['scenario', (r) => r.name, 'l'],
  ['c', (r) => r.concurrency],
  ['requests', (r) => r.requests],
  ['req/s', (r) => fmt(r.rps, 1)],
  ['p50 ms', (r) => fmt(r.p50, 2)],
  ['p99 ms', (r) => fmt(r.p99, 2)],
  ['errors', (r) => errText(r.errors), 'l'],
  ['srv CPU ms', (r) => fmt(r.serverCpuMs)],
  ['CPU ms/req', (r) => (r.serverCpuMs === null || !r.requests ? '-' : fmt(r.serverCpuMs / r.requests, 2))],
  ['peak RSS MB', (r) => fmt(r.serverPeakRssMb, 1)],
  ['× raw', (r) => fmt(r.ratio, 2)],
];

/** A Markdown table (readable as plain text too) of every row. */
export function table(rows) {
  const cells = rows.map((r) => COLUMNS.map(([, get]) => String(get(r))));
  const widths = COLUMNS.map(([h], i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (vals) =>
    '| ' + vals.map((v, i) => (COLUMNS[i][2] === 'l' ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join(' | ') + ' |';
  const sep =
    '|' +
    widths.map((w, i) => (COLUMNS[i][2] === 'l' ? ':' + '-'.repeat(w + 1) : '-'.repeat(w + 1) + ':')).join('|') +
    '|';
  return [line(COLUMNS.map(([h]) => h)), sep, ...cells.map(line)].join('\n');
}
