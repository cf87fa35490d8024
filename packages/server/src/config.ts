import { z } from 'zod';
import { isIP } from 'node:net';
import { SecretFileError, withSecretFiles } from './lib/secret-env.js';

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
  /** Extra hosts trusted for SNS signing certificates and subscription URLs (SPEC §16). */
  snsCertHosts: string[];
  dnsServers: string[];
  trustProxy: string[] | number | undefined;
  connectorsDir: string | undefined;
  metricsToken: string | undefined;
  logLevel: string;
  /** `json` (one object a line, the default) or `pretty` (pino-pretty, for a terminal). */
  logFormat: 'json' | 'pretty';
  /** Tenants whose `aws-ses` connector may use the process's own AWS identity; `*` for all. */
  awsAmbientTenants: string[];
  dataDir: string;
  /** Receiving a whole request (headers and body) may take this long; then the socket is closed. */
  requestTimeoutMs: number;
  /** Receiving a request's headers (also the first bytes on a new connection) may take this long. */
  headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this long. */
  keepAliveTimeoutMs: number;
  /** How long an outbox claim holds a message before another instance may take it over (SPEC §15). */
  outboxLeaseSeconds: number;
  /** Days kept of email logs, finished outbox rows and rate-limit rows; the mailbox keeps min(7, this). */
  retentionDays: number;
  /** The SMTP submission listener (SPEC §18); undefined when neither port is set. */
  smtp: SmtpListenerConfig | undefined;
  /**
   * Where the hosted pages load the bot-protection widget scripts from instead of the
   * providers' own origins (same paths): a local fake widget in tests, or the operator's own
   * proxy. An operator setting, never a tenant's: a script the pages load runs beside every
   * tenant's pages on this origin.
   */
  captchaWidgetOrigin: string | undefined;
}

export interface SmtpListenerConfig {
  /** STARTTLS submission port (587-style); undefined when only implicit TLS is wanted. */
  port: number | undefined;
  /** Implicit-TLS port (465-style). */
  smtpsPort: number | undefined;
  /** Listen address (default: HOST). */
  host: string;
  /** PEM files; both or neither (then a self-signed certificate is made in the data dir). */
  tlsCertFile: string | undefined;
  tlsKeyFile: string | undefined;
}

/**
 * The variables that carry a secret. Each may be given as NAME_FILE instead (SPEC §1); a new
 * secret-bearing variable belongs in this list.
 */
export const SECRET_VARIABLES = [
  'POSTERN_SECRET',
  'POSTERN_SECRET_PREVIOUS',
  'POSTERN_ADMIN_KEY',
  'DATABASE_URL',
  'REDIS_URL',
  'POSTERN_BUILTIN_RELAY',
  'POSTERN_METRICS_TOKEN',
] as const;

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
  POSTERN_CAPTCHA_WIDGET_ORIGIN: z
    .url({ protocol: /^https?$/ })
    .optional()
    .refine((v) => v === undefined || new URL(v).origin === v.replace(/\/+$/, ''), 'must be an origin (scheme, host and port only)')
    .transform((v) => (v === undefined ? undefined : new URL(v).origin)),
  POSTERN_SNS_CERT_HOSTS: z.string().optional(),
  POSTERN_DNS_SERVERS: z.string().optional(),
  POSTERN_TRUST_PROXY: z.string().optional(),
  POSTERN_CONNECTORS_DIR: z.string().min(1).optional(),
  POSTERN_METRICS_TOKEN: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS as [string, ...string[]]).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty'], 'must be json or pretty').default('json'),
  POSTERN_AWS_AMBIENT_TENANTS: z.string().optional(),
  POSTERN_DATA_DIR: z.string().min(1).optional(),
  POSTERN_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100, 'must be at least 100').max(3_600_000, 'must be at most 3600000').default(30_000),
  POSTERN_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100, 'must be at least 100').max(3_600_000, 'must be at most 3600000').default(10_000),
  POSTERN_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(100, 'must be at least 100').max(3_600_000, 'must be at most 3600000').default(5_000),
  POSTERN_OUTBOX_LEASE_SECONDS: z.coerce.number().int('must be a whole number of seconds').min(1).max(3600).default(30),
  POSTERN_RETENTION_DAYS: z.coerce.number().int('must be a whole number of days').min(1).max(3650).default(30),
  POSTERN_SMTP_PORT: z.coerce.number().int('must be a port number').min(0).max(65535).optional(),
  POSTERN_SMTPS_PORT: z.coerce.number().int('must be a port number').min(0).max(65535).optional(),
  POSTERN_SMTP_HOST: z.string().min(1).optional(),
  POSTERN_SMTP_TLS_CERT: z.string().min(1).optional(),
  POSTERN_SMTP_TLS_KEY: z.string().min(1).optional(),
} as const;

/** Reads the environment; throws a ConfigError naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    env = withSecretFiles(env, SECRET_VARIABLES);
  } catch (err) {
    if (err instanceof SecretFileError) throw new ConfigError(err.variable, err.reason);
    throw err;
  }
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
  if ((v.POSTERN_SMTP_TLS_CERT === undefined) !== (v.POSTERN_SMTP_TLS_KEY === undefined)) {
    const missing = v.POSTERN_SMTP_TLS_CERT === undefined ? 'POSTERN_SMTP_TLS_CERT' : 'POSTERN_SMTP_TLS_KEY';
    throw new ConfigError(missing, 'must be set together with the other one (the certificate and its private key), or neither for a generated certificate');
  }
  const smtpOn = v.POSTERN_SMTP_PORT !== undefined || v.POSTERN_SMTPS_PORT !== undefined;
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
    snsCertHosts: list(v.POSTERN_SNS_CERT_HOSTS),
    dnsServers,
    trustProxy,
    connectorsDir: v.POSTERN_CONNECTORS_DIR,
    metricsToken: v.POSTERN_METRICS_TOKEN,
    logLevel: v.LOG_LEVEL,
    logFormat: v.LOG_FORMAT,
    awsAmbientTenants: list(v.POSTERN_AWS_AMBIENT_TENANTS),
    dataDir,
    requestTimeoutMs: v.POSTERN_REQUEST_TIMEOUT_MS,
    headersTimeoutMs: Math.min(v.POSTERN_HEADERS_TIMEOUT_MS, v.POSTERN_REQUEST_TIMEOUT_MS),
    keepAliveTimeoutMs: v.POSTERN_KEEP_ALIVE_TIMEOUT_MS,
    outboxLeaseSeconds: v.POSTERN_OUTBOX_LEASE_SECONDS,
    retentionDays: v.POSTERN_RETENTION_DAYS,
    captchaWidgetOrigin: v.POSTERN_CAPTCHA_WIDGET_ORIGIN,
    smtp: smtpOn
      ? {
          port: v.POSTERN_SMTP_PORT,
          smtpsPort: v.POSTERN_SMTPS_PORT,
          host: v.POSTERN_SMTP_HOST ?? v.HOST,
          tlsCertFile: v.POSTERN_SMTP_TLS_CERT,
          tlsKeyFile: v.POSTERN_SMTP_TLS_KEY,
        }
      : undefined,
  };
  return Object.freeze(config);
}

function dirOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? (i === 0 ? '/' : '.') : p.slice(0, i);
}
