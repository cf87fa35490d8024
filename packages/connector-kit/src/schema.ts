import { z } from 'zod';

/**
 * Marks a config field as secret: it is encrypted at rest, masked when read back, and
 * carries `"writeOnly": true` in the JSON Schema the API and the console use.
 */
export function secret<T extends z.ZodType>(schema: T): T {
  return schema.meta({ writeOnly: true }) as T;
}

/** The JSON Schema keyword that marks a destination field (see `destination`). */
export const DESTINATION_KEYWORD = 'x-postern-destination';

/**
 * Marks a config field as a destination: where the connector connects or sends to (a host,
 * port, URL, region, sending domain, token URL, trusted certificate…). When a request
 * changes any destination field, a masked secret sent back is not filled in from the
 * stored config: every secret must be entered again (`400 connector.bad_config`), so that
 * a stored secret can never be redirected to a new server. Carries
 * `"x-postern-destination": true` in the JSON Schema the API serves.
 */
export function destination<T extends z.ZodType>(schema: T): T {
  return schema.meta({ [DESTINATION_KEYWORD]: true }) as T;
}

export type JsonSchema = Record<string, unknown>;

/** The JSON Schema (draft 2020-12) of a connector config, as served by the API. */
export function configJsonSchema(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

/** The dot paths of every field whose JSON Schema node has `keyword: true`. */
function markedPaths(schema: z.ZodType, keyword: string): string[] {
  const out = new Set<string>();
  const walk = (node: unknown, path: string[], defs: Record<string, unknown>, depth: number): void => {
    if (!node || typeof node !== 'object' || depth > 20) return;
    const n = node as Record<string, unknown>;
    if (typeof n.$ref === 'string' && n.$ref.startsWith('#/$defs/')) {
      walk(defs[n.$ref.slice(8)], path, defs, depth + 1);
    }
    if (n[keyword] === true && path.length > 0) out.add(path.join('.'));
    if (n.properties && typeof n.properties === 'object') {
      for (const [k, v] of Object.entries(n.properties as Record<string, unknown>))
        walk(v, [...path, k], defs, depth + 1);
    }
    for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
      if (Array.isArray(n[key])) for (const v of n[key] as unknown[]) walk(v, path, defs, depth + 1);
    }
  };
  const root = configJsonSchema(schema);
  walk(root, [], (root.$defs as Record<string, unknown>) ?? {}, 0);
  return [...out].sort();
}

/**
 * The dot paths of every secret field in a config schema (`apiKey`, `auth.pass`), read
 * from the same JSON Schema the API serves so that the two can never disagree.
 */
export function secretPaths(schema: z.ZodType): string[] {
  return markedPaths(schema, 'writeOnly');
}

/** The dot paths of every destination field in a config schema (`baseUrl`, `auth.accessUrl`). */
export function destinationPaths(schema: z.ZodType): string[] {
  return markedPaths(schema, DESTINATION_KEYWORD);
}

export const MASK_PREFIX = '••••';

/** `"••••"` + the last 4 characters (all of a short value is hidden). */
export function maskValue(value: string): string {
  return MASK_PREFIX + (value.length > 8 ? value.slice(-4) : '');
}

export function isMasked(value: unknown): boolean {
  return typeof value === 'string' && value.startsWith(MASK_PREFIX);
}

function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const p of path.split('.')) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

/** Sets a dotted path (`auth.pass`), creating the objects on the way. */
function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur: Record<string, unknown> = obj;
  for (const p of parts.slice(0, -1)) {
    if (!cur[p] || typeof cur[p] !== 'object') cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]!] = value;
}

/** Deletes a dotted path, if it is there. */
function deletePath(obj: unknown, path: string): void {
  const parts = path.split('.');
  let cur: unknown = obj;
  for (const p of parts.slice(0, -1)) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[p] : undefined;
  if (cur && typeof cur === 'object') delete (cur as Record<string, unknown>)[parts[parts.length - 1]!];
}

/** A deep copy of a config with every secret value masked. */
export function maskConfig<T>(config: T, paths: readonly string[]): T {
  const copy = structuredClone(config) as Record<string, unknown>;
  for (const p of paths) {
    const v = getPath(copy, p);
    if (typeof v === 'string') setPath(copy, p, maskValue(v));
  }
  return copy as T;
}

/**
 * Replaces masked values in an incoming config with the stored secrets, so that a form
 * that sends back what it was shown keeps the secret. A masked value with nothing stored
 * behind it is left as it is (and then fails validation or authentication visibly).
 */
export function restoreMaskedSecrets(incoming: unknown, stored: unknown, paths: readonly string[]): unknown {
  if (!incoming || typeof incoming !== 'object') return incoming;
  const copy = structuredClone(incoming) as Record<string, unknown>;
  for (const p of paths) {
    const v = getPath(copy, p);
    if (isMasked(v)) {
      const s = getPath(stored, p);
      if (typeof s === 'string') setPath(copy, p, s);
    }
  }
  return copy;
}

/** Every secret value of a config, for scrubbing provider messages. */
export function secretValues(config: unknown, paths: readonly string[]): string[] {
  return paths.map((p) => getPath(config, p)).filter((v): v is string => typeof v === 'string' && v.length > 0);
}

/** Dotted config paths (`auth.pass`), as secretPaths() names them: the one implementation. */
export { getPath as getConfigPath, setPath as setConfigPath, deletePath as deleteConfigPath };

/** The secret paths whose incoming value is masked and would be filled from `stored`. */
export function maskedSecretPaths(incoming: unknown, stored: unknown, paths: readonly string[]): string[] {
  return paths.filter((p) => isMasked(getPath(incoming, p)) && typeof getPath(stored, p) === 'string');
}

/** A JSON text of a value with object keys sorted, so that equal configs compare equal. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return value === undefined ? 'null' : JSON.stringify(value);
}

/**
 * The destination paths whose value differs between two parsed configs (an absent value
 * and a present one differ). Compare parsed configs, so that defaults count alike.
 */
export function changedDestinations(next: unknown, stored: unknown, paths: readonly string[]): string[] {
  return paths.filter((p) => canonical(getPath(next, p)) !== canonical(getPath(stored, p)));
}
