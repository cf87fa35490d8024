/**
 * Reading the JSON Schema of a connector config (as the API serves it, draft 2020-12
 * from zod) into what the form needs: field kinds, union branches, defaults, pruning.
 * The schema is the only description of the form (STYLE: one schema drives everything).
 */
export type Schema = Record<string, unknown>;
export type Value = unknown;

const MASK_PREFIX = '••••';

export function isMasked(v: unknown): v is string {
  return typeof v === 'string' && v.startsWith(MASK_PREFIX);
}

function asSchema(x: unknown): Schema | undefined {
  return x && typeof x === 'object' && !Array.isArray(x) ? (x as Schema) : undefined;
}

/** Follows `$ref: "#/$defs/…"` against the root schema. */
export function resolve(node: unknown, root: Schema): Schema {
  let n = asSchema(node) ?? {};
  for (let i = 0; i < 10 && typeof n.$ref === 'string'; i++) {
    const ref = n.$ref as string;
    const defs = asSchema(root.$defs) ?? asSchema(root.definitions) ?? {};
    const name = ref.replace(/^#\/(\$defs|definitions)\//, '');
    const { $ref: _r, ...rest } = n;
    n = { ...(asSchema(defs[name]) ?? {}), ...rest };
  }
  return n;
}

export function properties(s: Schema): [string, Schema][] {
  return Object.entries(asSchema(s.properties) ?? {}).map(([k, v]) => [k, asSchema(v) ?? {}]);
}

export function requiredOf(s: Schema): Set<string> {
  return new Set(Array.isArray(s.required) ? s.required.filter((x): x is string => typeof x === 'string') : []);
}

/** The object branches of an `anyOf`/`oneOf` (a `null` branch only means "optional"). */
export function unionBranches(s: Schema, root: Schema): Schema[] | undefined {
  const raw = Array.isArray(s.oneOf) ? s.oneOf : Array.isArray(s.anyOf) ? s.anyOf : undefined;
  if (!raw) return undefined;
  return raw.map((b) => resolve(b, root)).filter((b) => b.type !== 'null');
}

/** The property whose `const` tells union branches apart (`type` in `auth`), if any. */
export function discriminator(branches: Schema[]): string | undefined {
  const first = branches[0];
  if (!first) return undefined;
  for (const [k] of properties(first)) {
    if (branches.every((b) => properties(b).some(([bk, bs]) => bk === k && bs.const !== undefined))) return k;
  }
  return undefined;
}

export function branchConst(b: Schema, key: string): string {
  const p = properties(b).find(([k]) => k === key)?.[1];
  return String(p?.const ?? '');
}

/** Which branch a value belongs to: by discriminator, else the first whose required keys it has. */
export function pickBranch(branches: Schema[], value: Value): number {
  const key = discriminator(branches);
  const obj = asSchema(value);
  if (key && obj) {
    const i = branches.findIndex((b) => branchConst(b, key) === String(obj[key]));
    if (i >= 0) return i;
  }
  if (obj) {
    const i = branches.findIndex((b) => [...requiredOf(b)].every((r) => r in obj));
    if (i >= 0) return i;
  }
  return 0;
}

export type Kind = 'object' | 'union' | 'record' | 'enum' | 'boolean' | 'number' | 'string' | 'const' | 'unknown';

export function kindOf(s: Schema, root: Schema): Kind {
  if (unionBranches(s, root)?.length) {
    const branches = unionBranches(s, root)!;
    if (branches.length === 1) return kindOf(branches[0]!, root);
    if (branches.every((b) => Array.isArray(b.enum) || b.const !== undefined)) return 'enum';
    return 'union';
  }
  if (s.const !== undefined) return 'const';
  if (Array.isArray(s.enum)) return 'enum';
  const t = s.type;
  if (t === 'object') return s.properties ? 'object' : 'record';
  if (t === 'boolean') return 'boolean';
  if (t === 'integer' || t === 'number') return 'number';
  if (t === 'string') return 'string';
  return 'unknown';
}

/** The choices of an enum field (also a union of consts). */
export function enumValues(s: Schema, root: Schema): string[] {
  const branches = unionBranches(s, root);
  if (branches && branches.length > 1) return branches.flatMap((b) => (Array.isArray(b.enum) ? b.enum.map(String) : [String(b.const)]));
  if (branches?.length === 1) return enumValues(branches[0]!, root);
  return Array.isArray(s.enum) ? s.enum.map(String) : [];
}

/** An initial value for a schema: defaults, nested objects filled, a union's first branch. */
export function initialValue(s: Schema, root: Schema): Value {
  if (s.default !== undefined) {
    const d = structuredClone(s.default);
    if (kindOf(s, root) === 'object' && asSchema(d)) return { ...(initialValue({ ...s, default: undefined }, root) as object), ...(d as object) };
    return d;
  }
  switch (kindOf(s, root)) {
    case 'const':
      return s.const;
    case 'object': {
      const out: Record<string, Value> = {};
      for (const [k, p] of properties(s)) {
        const v = initialValue(resolve(p, root), root);
        if (v !== undefined) out[k] = v;
      }
      return out;
    }
    case 'union': {
      const b = unionBranches(s, root)![0]!;
      return initialValue(b, root);
    }
    default:
      return undefined;
  }
}

/** A saved config merged over the schema's initial values (so new optional fields show defaults). */
export function withDefaults(schema: Schema, config: Record<string, Value> | undefined): Record<string, Value> {
  const base = (initialValue(schema, schema) as Record<string, Value>) ?? {};
  return config ? { ...base, ...structuredClone(config) } : base;
}

/**
 * Removes what the user left empty: blank strings, unset values, and optional objects
 * that end up empty (an untouched `tls` or `dkim` section), so they are not sent.
 */
export function prune(value: Value, s: Schema, root: Schema, required = true): Value {
  if (value === '' || value === undefined || value === null) return undefined;
  const kind = kindOf(s, root);
  if (kind === 'union') {
    const branches = unionBranches(s, root)!;
    return prune(value, branches[pickBranch(branches, value)]!, root, required);
  }
  if ((kind === 'object' || kind === 'record') && asSchema(value)) {
    const req = requiredOf(s);
    const props = new Map(properties(s));
    const out: Record<string, Value> = {};
    for (const [k, v] of Object.entries(value as Record<string, Value>)) {
      const ps = props.get(k);
      const child = ps ? resolve(ps, root) : resolve(s.additionalProperties, root);
      const pv = prune(v, child, root, req.has(k));
      if (pv !== undefined) out[k] = pv;
    }
    if (!required && Object.keys(out).length === 0) return undefined;
    return out;
  }
  return value;
}

const WORDS: Record<string, string> = { tls: 'TLS', url: 'URL', id: 'ID', ids: 'IDs', dkim: 'DKIM', api: 'API', ca: 'CA', smtp: 'SMTP', ms: '(ms)', http: 'HTTP' };

/** `fromEmail` → "From email", `connectionTimeoutMs` → "Connection timeout (ms)". */
export function humanize(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_-]+/)
    .filter(Boolean)
    .map((w) => WORDS[w.toLowerCase()] ?? w.toLowerCase());
  const s = words.join(' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** A label for a field: the schema's `title` when it has one. */
export function labelOf(key: string, s: Schema): string {
  return typeof s.title === 'string' ? s.title : humanize(key);
}

/** Strips the `body.` / `config.` prefixes of an API issue path, leaving the config path. */
export function configPath(issuePath: string): string {
  return issuePath.replace(/^body\./, '').replace(/^config(\.|$)/, '');
}

/**
 * The dot paths of the fields a connector schema marks `"x-postern-destination": true`:
 * where the connector sends. Changing one means the saved secrets are not reused.
 */
export function destinationPaths(root: Schema): string[] {
  const out = new Set<string>();
  const walk = (node: unknown, path: string, depth: number): void => {
    if (depth > 20) return;
    const n = resolve(node, root);
    if (n['x-postern-destination'] === true && path) out.add(path);
    const props = asSchema(n.properties) ?? {};
    for (const [k, v] of Object.entries(props)) walk(v, path ? `${path}.${k}` : k, depth + 1);
    for (const key of ['anyOf', 'oneOf', 'allOf']) {
      const list = n[key];
      if (Array.isArray(list)) for (const v of list) walk(v, path, depth + 1);
    }
  };
  walk(root, '', 0);
  return [...out].sort();
}

/** The value at a dot path of a config, or undefined. */
export function valueAt(config: unknown, path: string): unknown {
  let cur: unknown = config;
  for (const p of path.split('.')) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}
