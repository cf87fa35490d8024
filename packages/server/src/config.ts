import { z } from 'zod';
import { isIP } from 'node:net';

/** Configuration from the environment (SPEC §1), validated once at start and frozen. */
export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  /** Whether POSTERN_PUBLIC_URL was set (bot-protection answers are then checked against its host name). */
  publicUrlSet: boolean;
  databaseUrl: string;
  redisUrl: string | undefined;
  secret: string | undefined;
  previousSecrets: string[];
  adminKey: string | undefined;
  builtinRelay: string | undefined;
  outboundAllow: string[];
  dnsServers: string[];
  trustProxy: string[] | number | undefined;
  connectorsDir: string | undefined;
  metricsToken: string | undefined;
  logLevel: string;
  dataDir: string;
  /** Receiving a whole request (headers and body) may take this long; then the socket is closed. */
  requestTimeoutMs: number;
  /** Receiving a request's headers (also the first bytes on a new connection) may take this long. */
  headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this long. */
  keepAliveTimeoutMs: number;
}

export class ConfigError extends Error {
  constructor(readonly variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

const list = (v: string | undefined) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

const fields = {
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  POSTERN_PUBLIC_URL: z
    .url({ protocol: /^https?$/ })
    .optional()
    .transform((v) => v?.replace(/\/+$/, '')),
  DATABASE_URL: z
    .string()
    .regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, 'must be sqlite:PATH or postgres://…')
    .default('sqlite:./data/postern.db'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/.+/, 'must be redis://… or rediss://…')
    .optional(),
  POSTERN_SECRET: z.string().optional(),
  POSTERN_SECRET_PREVIOUS: z.string().optional(),
  POSTERN_ADMIN_KEY: z.string().min(24, 'must be at least 24 characters').optional(),
  POSTERN_BUILTIN_RELAY: z
    .string()
    .regex(/^smtps?:\/\/.+/, 'must be an smtp:// or smtps:// URL')
    .optional(),
  POSTERN_OUTBOUND_ALLOW: z.string().optional(),
  POSTERN_DNS_SERVERS: z.string().optional(),
  POSTERN_TRUST_PROXY: z.string().optional(),
  POSTERN_CONNECTORS_DIR: z.string().min(1).optional(),
  POSTERN_METRICS_TOKEN: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS as [string, ...string[]]).default('info'),
  POSTERN_DATA_DIR: z.string().min(1).optional(),
  POSTERN_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100, 'must be at least 100').max(3_600_000, 'must be at most 3600000').default(30_000),
  POSTERN_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100, 'must be at least 100').max(3_600_000, 'must be at most 3600000').default(10_000),
  POSTERN_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(100, 'must be at least 100').max(3_600_000, 'must be at most 3600000').default(5_000),
} as const;

/** Reads the environment; throws a ConfigError naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const values: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(fields)) {
    const raw = env[name] === '' ? undefined : env[name];
    const r = (schema as z.ZodType).safeParse(raw);
    if (!r.success) throw new ConfigError(name, r.error.issues[0]?.message ?? 'invalid value');
    values[name] = r.data;
  }
  const v = values as { [K in keyof typeof fields]: z.output<(typeof fields)[K]> };
  const dnsServers = list(v.POSTERN_DNS_SERVERS);
  for (const s of dnsServers) {
    const host = s.startsWith('[') ? s.slice(1, s.indexOf(']')) : s.split(':').length === 2 ? s.split(':')[0]! : s;
    if (!isIP(host)) throw new ConfigError('POSTERN_DNS_SERVERS', `"${s}" is not ip[:port]`);
  }
  let trustProxy: string[] | number | undefined;
  if (v.POSTERN_TRUST_PROXY) {
    if (/^\d+$/.test(v.POSTERN_TRUST_PROXY)) trustProxy = Number(v.POSTERN_TRUST_PROXY);
    else trustProxy = list(v.POSTERN_TRUST_PROXY);
  }
  // Node refuses a headers timeout longer than the request timeout; say so at start instead.
  if (env.POSTERN_HEADERS_TIMEOUT_MS && v.POSTERN_HEADERS_TIMEOUT_MS > v.POSTERN_REQUEST_TIMEOUT_MS) {
    throw new ConfigError('POSTERN_HEADERS_TIMEOUT_MS', `must not exceed POSTERN_REQUEST_TIMEOUT_MS (${v.POSTERN_REQUEST_TIMEOUT_MS})`);
  }
  const dataDir =
    v.POSTERN_DATA_DIR ?? (v.DATABASE_URL.startsWith('sqlite:') && v.DATABASE_URL !== 'sqlite::memory:' ? dirOf(v.DATABASE_URL.slice(7)) : './data');
  const config: Config = {
    port: v.PORT,
    host: v.HOST,
    publicUrl: v.POSTERN_PUBLIC_URL ?? `http://localhost:${v.PORT}`,
    publicUrlSet: v.POSTERN_PUBLIC_URL !== undefined,
    databaseUrl: v.DATABASE_URL,
    redisUrl: v.REDIS_URL,
    secret: v.POSTERN_SECRET,
    previousSecrets: list(v.POSTERN_SECRET_PREVIOUS),
    adminKey: v.POSTERN_ADMIN_KEY,
    builtinRelay: v.POSTERN_BUILTIN_RELAY,
    outboundAllow: list(v.POSTERN_OUTBOUND_ALLOW),
    dnsServers,
    trustProxy,
    connectorsDir: v.POSTERN_CONNECTORS_DIR,
    metricsToken: v.POSTERN_METRICS_TOKEN,
    logLevel: v.LOG_LEVEL,
    dataDir,
    requestTimeoutMs: v.POSTERN_REQUEST_TIMEOUT_MS,
    headersTimeoutMs: Math.min(v.POSTERN_HEADERS_TIMEOUT_MS, v.POSTERN_REQUEST_TIMEOUT_MS),
    keepAliveTimeoutMs: v.POSTERN_KEEP_ALIVE_TIMEOUT_MS,
  };
  return Object.freeze(config);
}

function dirOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? (i === 0 ? '/' : '.') : p.slice(0, i);
}
