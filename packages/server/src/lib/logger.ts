import type { LoggerOptions } from 'pino';

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

export function scrubUrl(url: string): string {
  return url
    .replace(/(\/invitations?\/)[^/?#]+/g, '$1[redacted]')
    .replace(/([?&](?:token|code|key)=)[^&#]*/gi, '$1[redacted]');
}

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      req: (req: { method?: string; url?: string; ip?: string }) => ({ method: req.method, url: scrubUrl(req.url ?? ''), ip: req.ip }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
  };
}
