import { ConfigError } from '../config.js';
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

/**
 * Every path that could carry a secret is redacted, at every level. Request bodies are
 * never logged; URLs that carry a token (invitation links) have it cut out.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["identity-verification"]',
  'req.headers.cookie',
  '*.password',
  '*.newPassword',
  '*.pass',
  '*.code',
  '*.token',
  '*.key',
  '*.apiKey',
  '*.serverToken',
  '*.secretAccessKey',
  '*.accessKeySecret',
  '*.clientSecret',
  '*.refreshToken',
  '*.accessToken',
  '*.registrationToken',
  '*.mfaToken',
  '*.signingSecret',
  '*.authorization',
  '*.config',
  '*.secrets',
];

/**
 * A URL fit for a log line: tokens in paths cut out, and no query-string value at all (an
 * email address, a code or a token can sit in any of them); the parameter names stay.
 */
export function scrubUrl(url: string): string {
  return url
    .replace(/(\/invitations?\/)[^/?#]+/g, '$1[redacted]')
    .replace(/([?&][^=&#]*=)[^&#]*/g, '$1[redacted]');
}

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      // No client address: the access log (http/observability.ts) says what was asked for.
      req: (req: { method?: string; url?: string }) => ({ method: req.method, url: scrubUrl(req.url ?? '') }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
  };
}

/**
 * The process's logger: JSON lines on stdout, or with `LOG_FORMAT=pretty` coloured lines
 * through pino-pretty, an optional dependency loaded only then (in this thread, so that the
 * last lines before an exit are not lost in a worker).
 */
export async function createLogger(o: { logLevel: string; logFormat: 'json' | 'pretty' }): Promise<Logger> {
  const options = loggerOptions(o.logLevel);
  if (o.logFormat !== 'pretty' || o.logLevel === 'silent') return pino(options);
  let pretty: (opts: Record<string, unknown>) => DestinationStream;
  try {
    const mod = (await import('pino-pretty')) as unknown as { default: typeof pretty };
    pretty = mod.default;
  } catch {
    throw new ConfigError('LOG_FORMAT', 'pretty needs the optional package pino-pretty (npm install pino-pretty), or set LOG_FORMAT=json');
  }
  return pino(options, pretty({ sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }));
}
