import { MAX_JSON_DEPTH } from './json-depth.js';

/**
 * JSON Merge Patch (RFC 7396). HTTP bodies are bounded before parsing; the depth bound
 * holds for documents from anywhere else: past MAX_JSON_DEPTH levels it throws what
 * `tooDeep` makes (core passes its `400 request.invalid`).
 */
export function mergePatch(
  target: unknown,
  patch: unknown,
  tooDeep: () => Error = () => new RangeError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`),
  depth = 0,
): unknown {
  if (!patch || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  if (depth >= MAX_JSON_DEPTH) throw tooDeep();
  const out: Record<string, unknown> =
    target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (k === '__proto__' || k === 'constructor' || k === 'prototype') continue;
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v, tooDeep, depth + 1);
  }
  return out;
}
