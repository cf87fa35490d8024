/**
 * What the SMTP form knows beyond its schema (issue 20): labels written for people, the
 * safe TLS defaults per port, and the warnings when a password would travel in clear text.
 */
import type { Config } from '../api.js';

export const SMTP_LABELS: Record<string, string> = {
  secure: 'Implicit TLS (secure)',
  requireTLS: 'Require STARTTLS',
  auth: 'Authentication',
  'auth.user': 'User name',
  'auth.pass': 'Password',
  'auth.method': 'Login method',
  'auth.clientId': 'Client ID',
  'auth.clientSecret': 'Client secret',
  'auth.refreshToken': 'Refresh token',
  'auth.accessUrl': 'Token endpoint URL',
  replyTo: 'Reply-to address',
  tls: 'TLS',
  'tls.rejectUnauthorized': 'Verify the server certificate',
  'tls.ca': 'Certificate authority (PEM)',
  'tls.servername': 'TLS server name',
  dkim: 'DKIM signing',
  'dkim.keyId': 'DKIM key',
  connectionTimeoutMs: 'Connection timeout (ms)',
  greetingTimeoutMs: 'Greeting timeout (ms)',
  socketTimeoutMs: 'Answer timeout (ms)',
  pool: 'Connection pool',
  'pool.maxConnections': 'Connections kept open',
  'pool.maxMessages': 'Messages per connection',
};

/** A new SMTP config starts safe: STARTTLS required on the default port 587. */
export function smtpInitial(config: Config, isNew: boolean): Config {
  if (!isNew) return config;
  if (config.port === 465) return { ...config, secure: true, requireTLS: false };
  if (config.port === 587) return { ...config, secure: false, requireTLS: true };
  return config;
}

/** Switching to a well-known port sets its TLS mode: 465 implicit TLS, 587 STARTTLS required. */
export function smtpAdjust(prev: Config, next: Config): Config {
  if (prev.port === next.port) return next;
  if (next.port === 465) return { ...next, secure: true, requireTLS: false };
  if (next.port === 587) return { ...next, secure: false, requireTLS: true };
  return next;
}

/** Warnings for settings that expose credentials or mail on the network path. */
export function smtpWarnings(config: Config): string[] {
  const out: string[] = [];
  const auth = config.auth as { type?: string } | undefined;
  const tls = config.tls as { rejectUnauthorized?: boolean } | undefined;
  if (
    auth &&
    (auth.type === 'login' || auth.type === 'oauth2') &&
    config.secure !== true &&
    config.requireTLS !== true
  ) {
    out.push(
      'With neither “Implicit TLS” nor “Require STARTTLS” on, the password can travel in clear text when the server does not offer STARTTLS. Turn on “Require STARTTLS” (port 587) or use port 465 with “Implicit TLS”.',
    );
  }
  if (tls?.rejectUnauthorized === false) {
    out.push(
      'The server certificate is not verified: anyone on the network path can read the mail and the password. Add the certificate authority instead.',
    );
  }
  return out;
}
