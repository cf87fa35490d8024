// Closed-loop load generator: N workers, each starting its next operation when the previous
// one has answered, until the time or count bound is reached.
import { Agent } from 'undici';

/** One keep-alive agent for all traffic to Postern (64 connections, SPEC-free bench choice). */
export function createClient(baseUrl, adminKey) {
  const origin = new URL(baseUrl).origin;
  const agent = new Agent({ connections: 64, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 60_000, pipelining: 1 });
  /** Sends one JSON request; resolves `{status, body}` (body parsed when JSON). */
  async function call(method, path, body, { auth = true } = {}) {
    const headers = {};
    if (auth) headers.authorization = `Bearer ${adminKey}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await agent.request({
      origin,
      path,
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.body.text();
    let parsed;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return { status: res.statusCode, body: parsed };
  }
  return { call, close: () => agent.close() };
}

/** The value at quantile q (0..1) of an ascending array, in ms with 0.01 precision. */
function quantile(sorted, q) {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return Math.round(sorted[i] * 100) / 100;
}

/** Latency summary of a list of durations in ms. */
export function summarize(latencies) {
  const s = Float64Array.from(latencies).sort();
  return { p50: quantile(s, 0.5), p99: quantile(s, 0.99) };
}

/**
 * Runs `op(worker, seq, marks)` with `concurrency` workers for `durationMs` (or until
 * `maxOps` operations have started). `op` resolves with the status it got, or with
 * `{status, error}`: an operation is an error when `status !== expect`. `marks.add(name, ms)`
 * lets an operation record the latency of one of its steps (e.g. the verify call alone).
 * Thrown errors count under their `code` (e.g. ECONNRESET) or "exception".
 */
export async function runLoad({ concurrency, durationMs, maxOps = 200_000, expect, op }) {
  const latencies = [];
  const steps = new Map();
  const errors = {};
  let ok = 0;
  let started = 0;
  const marks = {
    add(name, ms) {
      let l = steps.get(name);
      if (!l) steps.set(name, (l = []));
      l.push(ms);
    },
  };
  const t0 = performance.now();
  const deadline = t0 + durationMs;
  async function worker(w) {
    while (performance.now() < deadline && started < maxOps) {
      const seq = started++;
      const s = performance.now();
      let status;
      try {
        status = await op(w, seq, marks);
      } catch (err) {
        status = err?.code ?? 'exception';
      }
      latencies.push(performance.now() - s);
      if (status === expect) ok++;
      else errors[status] = (errors[status] ?? 0) + 1;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  const elapsedMs = performance.now() - t0;
  const stepStats = {};
  for (const [name, l] of steps) stepStats[name] = { count: l.length, ...summarize(l) };
  return { requests: latencies.length, ok, errors, elapsedMs, ...summarize(latencies), steps: stepStats };
}
